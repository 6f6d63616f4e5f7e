-- Portfolio run speed (issue 22): a portfolio rebalanced on every bar stores one run_trades row
-- per symbol and bar (5M for 50 symbols × 200,000 minutes), and the foreign key from run_trades
-- to runs made PostgreSQL run one referential check query per row, most of the run's time
-- (bench/portfolio). Trades are only ever written by the transaction that ends their run, which
-- updates the run's row first, so the check adds nothing; what the key also gave, deleting a
-- run's trades with it (directly, or through its strategy's or owner's deletion), is kept by a
-- trigger, as migration 0015 did for bars.
ALTER TABLE run_trades DROP CONSTRAINT run_trades_run_id_fkey;

CREATE FUNCTION runs_delete_trades() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM run_trades WHERE run_id = OLD.id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER runs_delete_trades AFTER DELETE ON runs FOR EACH ROW EXECUTE FUNCTION runs_delete_trades();
