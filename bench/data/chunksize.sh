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
# shellcheck source=bench/data/scratch.sh
source "$(dirname "$0")/scratch.sh"
minute_bars "$DIR/minute.csv" "$ROWS" epoch
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
