-- Strategies (issue 11). Owner-scoped; the name is unique per owner, case-insensitively.
-- A builtin strategy names a Quant registry kind and its parameters; a trademaster strategy
-- carries the TradeMaster service's config ({task_name, dataset_name, agent_name,
-- optimizer_name, loss_name}). `trading` holds the defaults a run starts from
-- ({initial_capital, commission, slippage_bps, allow_short}).
CREATE TABLE strategies (
    id            bigserial   PRIMARY KEY,
    owner_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description   text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    strategy_type text        NOT NULL CHECK (strategy_type IN ('algorithmic_trading', 'portfolio_management',
                                                                'order_execution', 'high_frequency_trading')),
    engine        text        NOT NULL CHECK (engine IN ('builtin', 'trademaster')),
    -- builtin: the registry kind; NULL for trademaster.
    kind          text        CHECK ((engine = 'builtin') = (kind IS NOT NULL)),
    parameters    jsonb       NOT NULL DEFAULT '{}',
    -- trademaster: the service config; NULL for builtin.
    config        jsonb       CHECK ((engine = 'trademaster') = (config IS NOT NULL)),
    trading       jsonb       NOT NULL DEFAULT '{}',
    tags          text[]      NOT NULL DEFAULT '{}',
    category      text        CHECK (category IS NULL OR length(category) <= 100),
    status        text        NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'active', 'paused', 'stopped', 'error')),
    -- Headline figures of the latest finished run: {total_return, sharpe, max_drawdown, win_rate, run_id}.
    performance   jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_run_at   timestamptz,
    -- Bumped by every edit of the definition (the ETag; If-Match compares it); a run keeps
    -- the version it ran.
    version       bigint      NOT NULL DEFAULT 1
);

-- Named <table>_<column>_key: a duplicate name (case-insensitive, per owner) is a 409.
CREATE UNIQUE INDEX strategies_name_key ON strategies (owner_id, lower(name));
-- The default list order (newest first) and the peer's benchmark query.
CREATE INDEX strategies_owner_idx ON strategies (owner_id, created_at DESC, id DESC);
CREATE INDEX strategies_tags_idx ON strategies USING gin (tags);
