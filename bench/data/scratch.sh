# Sourced by bench/data/storage.sh and bench/data/chunksize.sh: a PostgreSQL of its own in a
# temporary folder (port $PORT, fsync off like the test stack; run as `trademaster` when
# root), removed on exit, with `PSQL` to reach it; and `minute_bars`, the generated minute
# series both measure.
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

# minute_bars PATH ROWS TIME: ROWS minute bars of one symbol, trading hours only (a seeded
# random walk, prices to 4 decimals, integer volumes) as CSV; TIME `date` writes the wide
# upload layout (a header, then `YYYY-MM-DD HH:MM:SS`), `epoch` bare rows led by epoch seconds.
minute_bars() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys, random, datetime
path, n, time = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
t = datetime.datetime(2020, 1, 2, 9, 30)
price = 100.0
with open(path, "w") as f:
    if time == "date":
        f.write("date,open,high,low,close,volume\n")
    for _ in range(n):
        o = price; c = max(1.0, o * (1 + random.gauss(0, 0.001)))
        h = max(o, c) * (1 + abs(random.gauss(0, 0.0005))); l = min(o, c) * (1 - abs(random.gauss(0, 0.0005)))
        stamp = f"{t:%Y-%m-%d %H:%M:%S}" if time == "date" else str(int(t.replace(tzinfo=datetime.timezone.utc).timestamp()))
        f.write(f"{stamp},{o:.4f},{h:.4f},{l:.4f},{c:.4f},{random.randint(0, 5000)}\n")
        price = c
        t += datetime.timedelta(minutes=1)
        if t.hour == 16: t = (t + datetime.timedelta(days=1)).replace(hour=9, minute=30)
PY
}
