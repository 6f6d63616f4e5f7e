-- Bars as column chunks (issue 22 item 1; TimescaleDB's compression is the model): one row per
-- run of up to 8,192 consecutive bars of one symbol of a dataset, each column one array, in
-- place of one row per bar. A 10-million-bar upload writes about 1,250 rows instead of 10
-- million tuples and primary-key entries; a symbol's series is read as a few dozen rows of
-- arrays (binary, no number formatting). `bars` becomes a view of the same name and columns,
-- so any SQL over it keeps working; the hot paths read `bar_chunks` directly and prune chunks
-- by first_ts/last_ts. Existing bars are converted here, value for value.
CREATE TABLE bar_chunks (
    dataset_id bigint   NOT NULL,
    symbol     text     NOT NULL,
    first_ts   bigint   NOT NULL,
    last_ts    bigint   NOT NULL,
    bar_count  integer  NOT NULL,
    ts         bigint[] NOT NULL,
    open       float8[] NOT NULL,
    high       float8[] NOT NULL,
    low        float8[] NOT NULL,
    close      float8[] NOT NULL,
    volume     float8[] NOT NULL,
    -- The extra numeric columns of each bar as an array literal ('{1.5,NULL}'), in the order of
    -- datasets.columns' extras; NULL when the dataset has none.
    extra      text[],
    PRIMARY KEY (dataset_id, symbol, first_ts),
    CONSTRAINT bar_chunks_shape CHECK (
        bar_count > 0 AND first_ts <= last_ts AND cardinality(ts) = bar_count AND cardinality(open) = bar_count
        AND cardinality(high) = bar_count AND cardinality(low) = bar_count AND cardinality(close) = bar_count
        AND cardinality(volume) = bar_count AND (extra IS NULL OR cardinality(extra) = bar_count))
);
-- lz4 instead of pglz: as fast to write as no compression, and it still packs the times and
-- round volumes (measured in bench/data/README.md).
ALTER TABLE bar_chunks
    ALTER COLUMN ts SET COMPRESSION lz4, ALTER COLUMN open SET COMPRESSION lz4, ALTER COLUMN high SET COMPRESSION lz4,
    ALTER COLUMN low SET COMPRESSION lz4, ALTER COLUMN close SET COMPRESSION lz4, ALTER COLUMN volume SET COMPRESSION lz4,
    ALTER COLUMN extra SET COMPRESSION lz4;

INSERT INTO bar_chunks (dataset_id, symbol, first_ts, last_ts, bar_count, ts, open, high, low, close, volume, extra)
SELECT dataset_id, symbol, min(ts), max(ts), count(*), array_agg(ts ORDER BY ts), array_agg(open ORDER BY ts),
    array_agg(high ORDER BY ts), array_agg(low ORDER BY ts), array_agg(close ORDER BY ts), array_agg(volume ORDER BY ts),
    CASE WHEN count(extra) = 0 THEN NULL ELSE array_agg(extra::text ORDER BY ts) END
FROM (SELECT b.*, (row_number() OVER (PARTITION BY dataset_id, symbol ORDER BY ts) - 1) / 8192 AS chunk FROM bars b) s
GROUP BY dataset_id, symbol, chunk;

-- Deleting a dataset (or its owner) deletes its chunks (the trigger of 0015, on the new table).
CREATE OR REPLACE FUNCTION datasets_delete_bars() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM bar_chunks WHERE dataset_id = OLD.id;
    RETURN NULL;
END
$$;

DROP TABLE bars;

-- One row per bar, as the table was. Rows come chunk by chunk, each in time order; ask for
-- ORDER BY where the order matters. A filter on ts does not prune chunks here: the hot paths
-- read bar_chunks with first_ts/last_ts.
CREATE VIEW bars AS
SELECT c.dataset_id, c.symbol, u.ts, u.open, u.high, u.low, u.close, u.volume, u.extra::float8[] AS extra
FROM bar_chunks c, LATERAL unnest(c.ts, c.open, c.high, c.low, c.close, c.volume, c.extra) AS u(ts, open, high, low, close, volume, extra);
