-- Runs of strategies (issue 11): a backtest or a paper run, executed by a job. A run keeps a
-- snapshot of what it ran (kind, parameters, trading fields, strategy version), so editing
-- the strategy later does not change a past run. Its trades and equity series are stored by
-- the run results migration that follows.
CREATE TABLE runs (
    id               bigserial   PRIMARY KEY,
    owner_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- NULL for an inline backtest (POST /analysis/backtest with strategy {kind, parameters}).
    strategy_id      bigint      REFERENCES strategies (id) ON DELETE CASCADE,
    strategy_version bigint,
    -- Set NULL by a forced delete of the dataset (DELETE ...?force=true); otherwise a
    -- dataset that runs reference is a 409.
    dataset_id       bigint      REFERENCES datasets (id) ON DELETE SET NULL,
    job_id           bigint      REFERENCES jobs (id) ON DELETE SET NULL,
    mode             text        NOT NULL CHECK (mode IN ('backtest', 'paper')),
    status           text        NOT NULL DEFAULT 'queued'
                                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress         double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message          text        CHECK (message IS NULL OR length(message) <= 500),
    symbols          text[]      NOT NULL,
    start_time       timestamptz,
    end_time         timestamptz,
    -- {kind, parameters, strategy_type, engine, trading: {...}, bars_per_second?}
    snapshot         jsonb       NOT NULL,
    -- {dataset_id, symbol} or NULL.
    benchmark        jsonb,
    summary          jsonb,
    metrics          jsonb,
    error            text,
    bars_processed   bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);

CREATE INDEX runs_owner_idx ON runs (owner_id, id DESC);
CREATE INDEX runs_strategy_idx ON runs (strategy_id, id DESC);
CREATE INDEX runs_dataset_idx ON runs (dataset_id) WHERE dataset_id IS NOT NULL;
CREATE INDEX runs_live_idx ON runs (strategy_id) WHERE status IN ('queued', 'running');

-- Idempotency-Key on POSTs that start long work (execute, backtest, training, import,
-- preprocessing): a retry with the same key from the same user on the same route returns
-- the first answer (kept 24 h); the same key with another body is a 422.
CREATE TABLE idempotency_keys (
    owner_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    route         text        NOT NULL,
    key           text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- SHA-256 (hex) of the request body.
    request_hash  text        NOT NULL,
    status        integer     NOT NULL,
    location      text,
    body          bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_id, route, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
