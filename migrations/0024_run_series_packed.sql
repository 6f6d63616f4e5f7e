-- Runs keep their series packed (issue 22): each column one bytea of 8-byte big-endian
-- values (int8send/float8send order) instead of a bigint[]/float8[], so a 200,000-bar run's
-- series is written and read as bytes, with no array text to format or parse. Existing
-- series are converted in place, value for value (a NULL element, which the old reader
-- took as NaN or 0, becomes NaN or 0).
ALTER TABLE run_series
    ADD COLUMN times_packed bytea, ADD COLUMN equity_packed bytea, ADD COLUMN cash_packed bytea, ADD COLUMN position_packed bytea;

UPDATE run_series SET
    times_packed = (SELECT coalesce(string_agg(int8send(coalesce(v, 0)), ''::bytea ORDER BY i), ''::bytea) FROM unnest(times) WITH ORDINALITY AS u(v, i)),
    equity_packed = (SELECT coalesce(string_agg(float8send(coalesce(v, 'NaN')), ''::bytea ORDER BY i), ''::bytea) FROM unnest(equity) WITH ORDINALITY AS u(v, i)),
    cash_packed = (SELECT coalesce(string_agg(float8send(coalesce(v, 'NaN')), ''::bytea ORDER BY i), ''::bytea) FROM unnest(cash) WITH ORDINALITY AS u(v, i)),
    position_packed = (SELECT coalesce(string_agg(int8send(coalesce(v, 0)), ''::bytea ORDER BY i), ''::bytea) FROM unnest(position) WITH ORDINALITY AS u(v, i));

-- Dropping the arrays drops the CHECK on their cardinalities with them.
ALTER TABLE run_series DROP COLUMN times, DROP COLUMN equity, DROP COLUMN cash, DROP COLUMN position;
ALTER TABLE run_series RENAME COLUMN times_packed TO times;
ALTER TABLE run_series RENAME COLUMN equity_packed TO equity;
ALTER TABLE run_series RENAME COLUMN cash_packed TO cash;
ALTER TABLE run_series RENAME COLUMN position_packed TO position;
ALTER TABLE run_series
    ALTER COLUMN times SET NOT NULL, ALTER COLUMN equity SET NOT NULL, ALTER COLUMN cash SET NOT NULL, ALTER COLUMN position SET NOT NULL,
    ADD CONSTRAINT run_series_packed_lengths CHECK (
        length(times) % 8 = 0 AND length(equity) = length(times) AND length(cash) = length(times) AND length(position) = length(times));
-- Packed doubles hardly compress, and pglz trying cost more than the rest of a 200,000-bar
-- backtest's statements (a third of PostgreSQL's time in the profile): stored as they are.
ALTER TABLE run_series
    ALTER COLUMN times SET STORAGE EXTERNAL, ALTER COLUMN equity SET STORAGE EXTERNAL,
    ALTER COLUMN cash SET STORAGE EXTERNAL, ALTER COLUMN position SET STORAGE EXTERNAL;
