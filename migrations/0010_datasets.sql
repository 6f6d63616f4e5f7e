-- Market data (issue 10). A dataset is one upload (or a derived result); its bars are stored
-- one row per bar (see bench/data/README.md for the measurement behind the choice), keyed
-- by (dataset, symbol, time) so a symbol's series and a date range are index range scans.
-- Times are seconds since the Unix epoch, UTC (what Quant's OHLCVSeries holds).
CREATE TABLE datasets (
    id          bigserial   PRIMARY KEY,
    owner_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    tags        text[]      NOT NULL DEFAULT '{}',
    timezone    text        NOT NULL DEFAULT 'UTC',
    layout      text        NOT NULL CHECK (layout IN ('wide', 'long')),
    -- Column names as in the uploaded header, in order; extra numeric columns are in bars.extra.
    columns     jsonb       NOT NULL,
    summary     jsonb       NOT NULL,
    quality     jsonb       NOT NULL,
    row_count   bigint      NOT NULL,
    size_bytes  bigint      NOT NULL,
    parent_id   bigint      REFERENCES datasets (id) ON DELETE SET NULL,
    steps       jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Bumped by every UPDATE of the editable fields (the ETag; If-Match compares it).
    version     bigint      NOT NULL DEFAULT 1
);

-- Named <table>_<column>_key: a duplicate name (case-insensitive, per owner) is a 409.
CREATE UNIQUE INDEX datasets_name_key ON datasets (owner_id, lower(name));
CREATE INDEX datasets_owner_idx ON datasets (owner_id, created_at DESC);
CREATE INDEX datasets_tags_idx ON datasets USING gin (tags);

CREATE TABLE bars (
    dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    symbol     text   NOT NULL,
    ts         bigint NOT NULL,
    open       float8 NOT NULL,
    high       float8 NOT NULL,
    low        float8 NOT NULL,
    close      float8 NOT NULL,
    volume     float8 NOT NULL,
    -- The extra numeric columns in the order of datasets.columns' extras (NULL where empty).
    extra      float8[],
    PRIMARY KEY (dataset_id, symbol, ts)
);
