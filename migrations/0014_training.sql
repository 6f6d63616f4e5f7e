-- Training (issue 12): parameter searches of builtin strategies, TradeMaster training runs and
-- TradeMaster market-dynamics labelling. The work runs as a job of the queue (state, retries,
-- cancellation, exactly-once completion come from `jobs`); this row keeps what is particular
-- to training: the request, the TradeMaster session, progress details, the log tail and the
-- result, which is written in the job's completion transaction.
CREATE TABLE training_jobs (
    id              bigserial   PRIMARY KEY,
    owner_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- parameter_search and trademaster train a strategy; market_dynamics labels a dataset.
    kind            text        NOT NULL CHECK (kind IN ('parameter_search', 'trademaster', 'market_dynamics')),
    strategy_id     bigint      REFERENCES strategies (id) ON DELETE CASCADE,
    -- The strategy's version when the training started (apply writes a new one).
    strategy_version bigint,
    dataset_id      bigint      REFERENCES datasets (id) ON DELETE SET NULL,
    job_id          bigint      REFERENCES jobs (id) ON DELETE SET NULL,
    name            text        CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),
    config          jsonb       NOT NULL,
    -- The TradeMaster session (train/test or labelling), once the service gave one.
    session_id      text        CHECK (session_id IS NULL OR length(session_id) <= 200),
    epoch           integer,
    total_epochs    integer,
    trial           integer,
    total_trials    integer,
    -- [{epoch or trial, ...metrics}], oldest first.
    metrics_history jsonb       NOT NULL DEFAULT '[]',
    -- The last 200 lines of the service's log (or of our own steps).
    log_tail        text        NOT NULL DEFAULT '',
    result          jsonb,
    -- Market dynamics: the label last tested and when the labelling was saved.
    saved_at        timestamptz,
    applied_version bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'market_dynamics') = (strategy_id IS NULL))
);

CREATE INDEX training_jobs_owner_idx ON training_jobs (owner_id, kind, id DESC);
CREATE INDEX training_jobs_strategy_idx ON training_jobs (strategy_id, id DESC) WHERE strategy_id IS NOT NULL;
CREATE INDEX training_jobs_job_idx ON training_jobs (job_id) WHERE job_id IS NOT NULL;

-- Images the service returned (base64 PNG in its answers), kept as bytes: the test's result
-- plot, the labelling's visualisation and analysis, the dynamics test's radar plots.
CREATE TABLE training_images (
    training_id bigint      NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (name ~ '^[a-z0-9_]{1,40}$'),
    png         bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (training_id, name)
);

-- The TradeMaster circuit breaker as the job workers last saw it, for GET /api/v1/status
-- (the pool does not call the service often enough to know).
CREATE TABLE service_breakers (
    service      text        PRIMARY KEY,
    state        text        NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    failures     integer     NOT NULL DEFAULT 0,
    open_until   timestamptz,
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
