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
