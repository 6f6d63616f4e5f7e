-- Durable jobs (issue 9): a queue in PostgreSQL, claimed with FOR UPDATE SKIP LOCKED under a
-- lease that the running worker renews (heartbeat). A job whose lease expires is rescued:
-- queued again, or failed when its attempts are used up.
CREATE TABLE jobs (
    id                  bigserial   PRIMARY KEY,
    kind                text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    -- NULL for system jobs; a user's jobs go with the user.
    owner_id            bigint      REFERENCES users (id) ON DELETE CASCADE,
    payload             jsonb       NOT NULL DEFAULT '{}',
    status              text        NOT NULL DEFAULT 'queued'
                                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    -- Lower runs first.
    priority            smallint    NOT NULL DEFAULT 0,
    run_after           timestamptz NOT NULL DEFAULT now(),
    attempts            integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts        integer     NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    lease_owner         text,
    lease_expires_at    timestamptz,
    heartbeat_at        timestamptz,
    progress            double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message             text        CHECK (message IS NULL OR length(message) <= 500),
    result              jsonb,
    error               text,
    -- One entry per failed attempt: {attempt, at, error, retry_at}.
    errors              jsonb       NOT NULL DEFAULT '[]',
    cancel_requested_at timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'running') = (lease_owner IS NOT NULL)),
    CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);

-- The claim: the queued jobs that are due, by priority and age.
CREATE INDEX jobs_claim_idx ON jobs (priority, run_after, id) WHERE status = 'queued';
-- The rescue of expired leases.
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
-- A user's jobs, newest first.
CREATE INDEX jobs_owner_idx ON jobs (owner_id, id DESC);
-- Pruning of finished jobs.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;
