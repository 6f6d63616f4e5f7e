-- Results of runs (issue 11): each run's trades, and its equity series in one row of
-- parallel arrays (a backtest of 200k bars is one row, read and written in one statement).
-- A paper run that was stopped keeps what it had done by then.
CREATE TABLE run_trades (
    run_id          bigint           NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    -- 0-based, in entry order (the open trade, if any, last).
    seq             integer          NOT NULL CHECK (seq >= 0),
    symbol          text             NOT NULL,
    side            text             NOT NULL CHECK (side IN ('long', 'short')),
    shares          bigint           NOT NULL CHECK (shares > 0),
    entry_bar       integer          NOT NULL,
    exit_bar        integer,
    entry_time      timestamptz      NOT NULL,
    -- NULL while open (an open trade is marked at the last close: exit_price).
    exit_time       timestamptz,
    entry_price     double precision NOT NULL,
    exit_price      double precision NOT NULL,
    -- Before commissions; net_pnl = gross_pnl - commission.
    gross_pnl       double precision NOT NULL,
    net_pnl         double precision NOT NULL,
    commission      double precision NOT NULL,
    -- net_pnl / (entry_price * shares); NULL when undefined.
    return_fraction double precision,
    bars_held       integer          NOT NULL CHECK (bars_held >= 0),
    PRIMARY KEY (run_id, seq),
    CHECK ((exit_bar IS NULL) = (exit_time IS NULL))
);

-- The account after each bar: time (epoch seconds), equity, cash and position (shares,
-- negative when short). Drawdown is derived from equity when read.
CREATE TABLE run_series (
    run_id    bigint             PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    times     bigint[]           NOT NULL,
    equity    double precision[] NOT NULL,
    cash      double precision[] NOT NULL,
    position  bigint[]           NOT NULL,
    CHECK (cardinality(times) = cardinality(equity) AND cardinality(times) = cardinality(cash)
           AND cardinality(times) = cardinality(position))
);

-- A counter per owner, bumped in the same transaction by every change of that owner's
-- strategies (their definitions, and the status, performance and last_run_at that runs
-- set): GET /api/v1/strategies keeps the pages it built (JSON from PostgreSQL) and reuses
-- one while its owner's counter is unchanged. No foreign key: deleting a user deletes their
-- strategies, whose trigger must not insert a row referring to that user.
CREATE TABLE strategy_list_versions (
    owner_id bigint PRIMARY KEY,
    version  bigint NOT NULL DEFAULT 1
);

CREATE FUNCTION bump_strategy_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.owner_id <> NEW.owner_id) THEN
        UPDATE strategy_list_versions SET version = version + 1 WHERE owner_id = OLD.owner_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO strategy_list_versions (owner_id) VALUES (NEW.owner_id)
        ON CONFLICT (owner_id) DO UPDATE SET version = strategy_list_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER strategies_list_version AFTER INSERT OR UPDATE OR DELETE ON strategies
    FOR EACH ROW EXECUTE FUNCTION bump_strategy_list_version();
