#!/usr/bin/env bash
# Storage layout benchmark (issue 10 item 3): one row per bar loaded with COPY, against a
# columnar layout (one row per symbol and chunk of 4,096 bars holding float8[] arrays), on a
# generated 200,000-row minute file. Starts its own PostgreSQL in a temp folder on port
# ${TM_BENCH_PG_PORT:-55499} (fsync off, like the test stack) and removes it afterwards.
# Run under the CPU lock: flock -o /tmp/tm-cpu.lock bench/data/storage.sh
set -euo pipefail
PORT="${TM_BENCH_PG_PORT:-55499}"
ROWS="${ROWS:-200000}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
DIR="$(mktemp -d /tmp/tm-bench-data.XXXXXX)"
chmod 755 "$DIR"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(setpriv --reuid=trademaster --regid=trademaster --init-groups --); chown trademaster "$DIR"; fi
cleanup() { "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR/pg" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U bench -d postgres -v ON_ERROR_STOP=1 -qAt)

# 200k minute bars, one symbol, trading hours only, as the wide upload layout.
python3 - "$DIR/minute.csv" "$ROWS" <<'PY'
import sys, random, datetime
path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
t = datetime.datetime(2020, 1, 2, 9, 30)
price = 100.0
with open(path, "w") as f:
    f.write("date,open,high,low,close,volume\n")
    for _ in range(n):
        o = price; c = max(1.0, o * (1 + random.gauss(0, 0.001)))
        h = max(o, c) * (1 + abs(random.gauss(0, 0.0005))); l = min(o, c) * (1 - abs(random.gauss(0, 0.0005)))
        f.write(f"{t:%Y-%m-%d %H:%M:%S},{o:.4f},{h:.4f},{l:.4f},{c:.4f},{random.randint(0, 5000)}\n")
        price = c
        t += datetime.timedelta(minutes=1)
        if t.hour == 16: t = (t + datetime.timedelta(days=1)).replace(hour=9, minute=30)
PY
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
