#!/usr/bin/env bash
# Chunk size and TOAST compression of bar_chunks (issue 22 item 1): the same generated
# 200,000-bar minute series (random-walk prices to 4 decimals, integer volumes, as
# bench/data/storage.sh makes it) stored as chunks of N bars for several N, with lz4 and with
# pglz. Per layout: bytes per bar (table + TOAST + index), the server's time to send a whole
# series in binary (COPY … TO STDOUT (FORMAT binary) of the chunks, what the worker's read
# costs PostgreSQL), and a one-day range read (390 bars) pruned by first_ts/last_ts; medians of
# 5. Starts its own PostgreSQL (port ${TM_BENCH_PG_PORT:-55498}, fsync off) and removes it.
# Run under the CPU lock: flock -o /tmp/tm-cpu.lock bench/data/chunksize.sh
set -euo pipefail
PORT="${TM_BENCH_PG_PORT:-55498}"
ROWS="${ROWS:-200000}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
DIR="$(mktemp -d /tmp/tm-bench-chunks.XXXXXX)"
chmod 755 "$DIR"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(setpriv --reuid=trademaster --regid=trademaster --init-groups --); chown trademaster "$DIR"; fi
cleanup() { "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR/pg" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U bench -d postgres -v ON_ERROR_STOP=1 -qAt)

python3 - "$DIR/minute.csv" "$ROWS" <<'PY'
import sys, random, datetime
path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
t = datetime.datetime(2020, 1, 2, 9, 30)
price = 100.0
with open(path, "w") as f:
    for _ in range(n):
        o = price; c = max(1.0, o * (1 + random.gauss(0, 0.001)))
        h = max(o, c) * (1 + abs(random.gauss(0, 0.0005))); l = min(o, c) * (1 - abs(random.gauss(0, 0.0005)))
        f.write(f"{int(t.replace(tzinfo=datetime.timezone.utc).timestamp())},{o:.4f},{h:.4f},{l:.4f},{c:.4f},{random.randint(0, 5000)}\n")
        price = c
        t += datetime.timedelta(minutes=1)
        if t.hour == 16: t = (t + datetime.timedelta(days=1)).replace(hour=9, minute=30)
PY
chmod 644 "$DIR/minute.csv"
"${PSQL[@]}" -c "CREATE TABLE stage (ts bigint, open float8, high float8, low float8, close float8, volume float8)"
"${PSQL[@]}" -c "\\copy stage FROM '$DIR/minute.csv' WITH (FORMAT csv)"
"${PSQL[@]}" -c "ALTER SYSTEM SET work_mem = '64MB'" -c "SELECT pg_reload_conf()" >/dev/null
DAY="$("${PSQL[@]}" -c "SELECT min(ts) FROM stage WHERE ts >= (SELECT min(ts) + 86400 * 100 FROM stage)")"

ms() { local s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
med() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| N | compression | bytes per bar | whole series, server (binary COPY out) | one day (390 bars) |"
echo "|---|---|---|---|---|"
for n in 2048 4096 8192 16384; do
    for method in lz4 pglz; do
        t="c_${n}_$method"
        "${PSQL[@]}" <<SQL
CREATE TABLE $t (dataset_id bigint NOT NULL, symbol text NOT NULL, first_ts bigint NOT NULL, last_ts bigint NOT NULL,
    bar_count integer NOT NULL, ts bigint[] COMPRESSION $method NOT NULL, open float8[] COMPRESSION $method NOT NULL,
    high float8[] COMPRESSION $method NOT NULL, low float8[] COMPRESSION $method NOT NULL, close float8[] COMPRESSION $method NOT NULL,
    volume float8[] COMPRESSION $method NOT NULL, extra text[], PRIMARY KEY (dataset_id, symbol, first_ts));
INSERT INTO $t SELECT 1, 'X', min(ts), max(ts), count(*), array_agg(ts ORDER BY ts), array_agg(open ORDER BY ts),
    array_agg(high ORDER BY ts), array_agg(low ORDER BY ts), array_agg(close ORDER BY ts), array_agg(volume ORDER BY ts), NULL
FROM (SELECT s.*, (row_number() OVER (ORDER BY ts) - 1) / $n AS k FROM stage s) s GROUP BY k;
VACUUM ANALYZE $t;
SQL
        bytes="$("${PSQL[@]}" -c "SELECT pg_total_relation_size('$t')")"
        whole=""; range=""
        for _ in 1 2 3 4 5; do
            whole+="$(ms "${PSQL[@]}" -c "COPY (SELECT ts, open, high, low, close, volume FROM $t WHERE dataset_id = 1 AND symbol = 'X' ORDER BY first_ts) TO STDOUT (FORMAT binary)") "
            range+="$(ms "${PSQL[@]}" -c "COPY (SELECT ts, open, high, low, close, volume FROM $t WHERE dataset_id = 1 AND symbol = 'X' AND first_ts < $DAY + 86400 AND last_ts >= $DAY ORDER BY first_ts) TO STDOUT (FORMAT binary)") "
        done
        echo "| $n | $method | $(python3 -c "print(f'{$bytes / $ROWS:.1f}')") | $(echo "$whole" | med) ms | $(echo "$range" | med) ms |"
    done
done
SIZE=$(stat -c %s "$DIR/minute.csv")
echo "CSV (epoch seconds, 4 decimals): $(python3 -c "print(f'{$SIZE / $ROWS:.1f}')") bytes per bar"
