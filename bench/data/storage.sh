#!/usr/bin/env bash
# Storage layout benchmark (issue 10 item 3): one row per bar loaded with COPY, against a
# columnar layout (one row per symbol and chunk of 4,096 bars holding float8[] arrays), on a
# generated 200,000-row minute file. Starts its own PostgreSQL in a temp folder on port
# ${TM_BENCH_PG_PORT:-55499} (fsync off, like the test stack) and removes it afterwards.
# Run under the CPU lock: flock -o /tmp/tm-cpu.lock bench/data/storage.sh
set -euo pipefail
PORT="${TM_BENCH_PG_PORT:-55499}"
ROWS="${ROWS:-200000}"
# shellcheck source=bench/data/scratch.sh
source "$(dirname "$0")/scratch.sh"
# 200k minute bars, one symbol, trading hours only, as the wide upload layout.
minute_bars "$DIR/minute.csv" "$ROWS" date
SIZE=$(stat -c %s "$DIR/minute.csv")

ms() { local s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"${PSQL[@]}" <<'SQL'
CREATE TABLE bars_rows (dataset_id bigint NOT NULL, symbol text NOT NULL, ts timestamptz NOT NULL,
  open float8 NOT NULL, high float8 NOT NULL, low float8 NOT NULL, close float8 NOT NULL, volume float8 NOT NULL,
  extra float8[], PRIMARY KEY (dataset_id, symbol, ts));
CREATE TABLE bars_chunks (dataset_id bigint NOT NULL, symbol text NOT NULL, chunk int NOT NULL,
  first_ts timestamptz NOT NULL, last_ts timestamptz NOT NULL, ts bigint[] NOT NULL, open float8[] NOT NULL,
  high float8[] NOT NULL, low float8[] NOT NULL, close float8[] NOT NULL, volume float8[] NOT NULL,
  PRIMARY KEY (dataset_id, symbol, chunk));
CREATE TABLE plain (date timestamp, open float8, high float8, low float8, close float8, volume float8);
SQL

load_rows() {
  "${PSQL[@]}" <<SQL
BEGIN;
CREATE TEMP TABLE stage (date timestamp, open float8, high float8, low float8, close float8, volume float8) ON COMMIT DROP;
\copy stage FROM '$DIR/minute.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO bars_rows SELECT 1, 'X', date AT TIME ZONE 'UTC', open, high, low, close, volume, NULL FROM stage ORDER BY date;
COMMIT;
SQL
}
load_chunks() {
  "${PSQL[@]}" <<SQL
BEGIN;
CREATE TEMP TABLE stage (date timestamp, open float8, high float8, low float8, close float8, volume float8) ON COMMIT DROP;
\copy stage FROM '$DIR/minute.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO bars_chunks
SELECT 1, 'X', k, min(t), max(t), array_agg(extract(epoch FROM t)::bigint ORDER BY t), array_agg(open ORDER BY t), array_agg(high ORDER BY t),
       array_agg(low ORDER BY t), array_agg(close ORDER BY t), array_agg(volume ORDER BY t)
FROM (SELECT date AT TIME ZONE 'UTC' AS t, open, high, low, close, volume, (row_number() OVER (ORDER BY date) - 1) / 4096 AS k FROM stage) s
GROUP BY k;
COMMIT;
SQL
}
copy_plain() { "${PSQL[@]}" -c "\\copy plain FROM '$DIR/minute.csv' WITH (FORMAT csv, HEADER true)"; }

declare -A R
for round in 1 2 3; do
  "${PSQL[@]}" -c "TRUNCATE bars_rows, bars_chunks, plain"
  R[copy]+="$(ms copy_plain) "
  R[rows_load]+="$(ms load_rows) "
  R[chunks_load]+="$(ms load_chunks) "
  "${PSQL[@]}" -c "VACUUM ANALYZE bars_rows"; "${PSQL[@]}" -c "VACUUM ANALYZE bars_chunks"
  R[rows_read]+="$(ms "${PSQL[@]}" -c "SELECT extract(epoch FROM ts)::bigint, open, high, low, close, volume FROM bars_rows WHERE dataset_id = 1 AND symbol = 'X' ORDER BY ts") "
  R[chunks_read]+="$(ms "${PSQL[@]}" -c "SELECT ts, open, high, low, close, volume FROM bars_chunks WHERE dataset_id = 1 AND symbol = 'X' ORDER BY chunk") "
  R[rows_range]+="$(ms "${PSQL[@]}" -c "SELECT extract(epoch FROM ts)::bigint, open, high, low, close, volume FROM bars_rows WHERE dataset_id = 1 AND symbol = 'X' AND ts >= '2020-06-01' AND ts < '2020-07-01' ORDER BY ts") "
  R[chunks_range]+="$(ms "${PSQL[@]}" -c "SELECT u.* FROM bars_chunks c, unnest(c.ts, c.open, c.high, c.low, c.close, c.volume) AS u(t, o, h, l, cl, v) WHERE c.dataset_id = 1 AND c.symbol = 'X' AND c.last_ts >= '2020-06-01' AND c.first_ts < '2020-07-01' AND u.t >= extract(epoch FROM timestamptz '2020-06-01') AND u.t < extract(epoch FROM timestamptz '2020-07-01') ORDER BY u.t") "
done
echo "file: $ROWS rows, $SIZE bytes"
for k in copy rows_load chunks_load rows_read chunks_read rows_range chunks_range; do
  echo "$k ms: median $(echo ${R[$k]} | tr ' ' '\n' | med) (rounds: ${R[$k]})"
done
echo "size rows (table+index): $("${PSQL[@]}" -c "SELECT pg_total_relation_size('bars_rows')") bytes"
echo "size chunks (table+toast+index): $("${PSQL[@]}" -c "SELECT pg_total_relation_size('bars_chunks')") bytes"
echo "range rows returned: $("${PSQL[@]}" -c "SELECT count(*) FROM bars_rows WHERE ts >= '2020-06-01' AND ts < '2020-07-01'")"
