#!/usr/bin/env python3
"""The soak's load generator (bench/soak/run starts it; Python 3 standard library only).

Drives, through nginx only, a weighted mix of the API's everyday requests for users made
beforehand (`tm user create`): logins (each followed by a logout of the new session),
GET /auth/me, the lists (strategies, datasets, runs, jobs), small CSV uploads (multipart),
synchronous backtests, executes (async runs for `tm worker`), CSV exports of a dataset's
bars, and one real-time subscriber per user on its `user` channel (a ticket, then
EventSource on the ticket's URL; a new ticket and `last_event_id` every --reconnect s).

1. Setup: each user logs in, uploads its base dataset and creates a strategy.
2. Calibration: --calibrate s of the mix, unpaced, on --threads threads (in --processes
   processes): the mix's most requests a second.
3. The soak: --seconds of the mix paced at --load (0.70) of that rate (each thread draws its
   next start from a Poisson process of rate target/threads; a thread that falls behind
   starts at once and the lateness is counted).
4. Every --bucket s (60): the RSS and open descriptors of every process of the stack
   (pool master and workers, nginx master and workers, relay, tm worker, Redis) and
   PostgreSQL's connections.
5. Drain: waits (at most --drain s) until every run it executed is finished, then counts
   the lost ones (missing, or not finished).
Writes one JSON report (--out) and prints Markdown tables.

    soak.py --base http://127.0.0.1:PORT --state STATE_DIR --users-file FILE --pg-port N \
        [--redis-port N] [--seconds 600] [--calibrate 20] [--threads 32] [--processes 2] ...
PostgreSQL's password in PGPASSWORD, Redis's in REDISCLI_AUTH.
"""
import argparse, http.client, json, multiprocessing as mp, os, random, resource, socket, subprocess, sys, threading, time
import urllib.parse

# The mix: weight of each operation (a login op is a login and a logout: two requests).
MIX = [
    ("login", 3), ("me", 30), ("list_strategies", 8), ("list_datasets", 8), ("list_runs", 8), ("list_jobs", 8),
    ("upload", 4), ("backtest", 5), ("execute", 5), ("export", 6),
]
EXPECTED = {
    "POST /auth/login": 200, "POST /auth/logout": 204, "GET /auth/me": 200, "GET /strategies": 200,
    "GET /data/datasets": 200, "GET /runs": 200, "GET /jobs": 200, "POST /data/upload": 201,
    "POST /analysis/backtest": 200, "POST /strategies/{id}/execute": 202, "GET /data/datasets/{id}/bars?format=csv": 200,
    "POST /realtime/tickets": 200, "GET /realtime/channels/user:{id} (EventSource)": 200,
}
PASSWORD = "Soak-Password-42"
TERMINAL = ("succeeded", "failed", "cancelled")


def log(*parts):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), " ".join(str(p) for p in parts)), file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest rank."""
    if not values:
        return None
    values = sorted(values)
    return values[max(0, min(len(values) - 1, -(-len(values) * p // 100) - 1))]


class Client:
    """One keep-alive connection to nginx."""

    def __init__(self, host, port, source=None):
        self.host, self.port, self.conn, self.source = host, port, None, source

    def request(self, method, path, body=None, headers=None, timeout=60):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                                   source_address=(self.source, 0) if self.source else None)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None


def daily_csv(rows, seed, start_year=2018):
    rng = random.Random(seed)
    lines = ["date,open,high,low,close,volume"]
    price, day = 100.0, time.mktime((start_year, 1, 1, 12, 0, 0, 0, 0, 0))
    made = 0
    while made < rows:
        t = time.gmtime(day)
        day += 86400
        if t.tm_wday >= 5:
            continue
        o = price
        c = max(1.0, o * (1 + rng.gauss(0, 0.015)))
        h = max(o, c) * (1 + abs(rng.gauss(0, 0.004)))
        low = min(o, c) * (1 - abs(rng.gauss(0, 0.004)))
        lines.append("%s,%.4f,%.4f,%.4f,%.4f,%d" % (time.strftime("%Y-%m-%d", t), o, h, low, c, rng.randint(1000, 90000)))
        price = c
        made += 1
    return ("\n".join(lines) + "\n").encode()


def multipart(fields, filename, content):
    boundary = "soak%016x" % random.getrandbits(64)
    parts = []
    for name, value in fields:
        parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), value.encode()))
    parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: text/csv\r\n\r\n"
                 % (boundary.encode(), filename.encode()) + content + b"\r\n")
    parts.append(b"--%s--\r\n" % boundary.encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


class Recorder:
    """Latencies per route and bucket, errors per route (thread-safe enough: one per thread, merged)."""

    def __init__(self, t0, bucket):
        self.t0, self.bucket = t0, bucket
        self.lat = {}  # route -> {bucket index: [ms]}
        self.errors = {}  # route -> count
        self.samples = {}  # route -> [first error descriptions]
        self.runs = []  # (run id, user index)
        self.late = 0
        self.cpu_s = 0.0  # the load processes' CPU time

    def record(self, route, started, status, body=b""):
        ms = (time.time() - started) * 1000
        index = max(0, int((started - self.t0) // self.bucket))
        self.lat.setdefault(route, {}).setdefault(index, []).append(ms)
        if status != EXPECTED[route]:
            self.error(route, "status %s: %s" % (status, body[:200].decode("utf-8", "replace")))
        else:
            self.errors.setdefault(route, 0)

    def error(self, route, text):
        self.errors[route] = self.errors.get(route, 0) + 1
        samples = self.samples.setdefault(route, [])
        if len(samples) < 5:
            samples.append(text)

    def merge(self, other):
        for route, buckets in other["lat"].items():
            for index, values in buckets.items():
                self.lat.setdefault(route, {}).setdefault(int(index), []).extend(values)
        for route, n in other["errors"].items():
            self.errors[route] = self.errors.get(route, 0) + n
        for route, texts in other["samples"].items():
            mine = self.samples.setdefault(route, [])
            mine.extend(texts[: max(0, 5 - len(mine))])
        self.runs.extend(other["runs"])
        self.late += other["late"]
        self.cpu_s += other.get("cpu_s", 0.0)

    def dump(self):
        return {"lat": self.lat, "errors": self.errors, "samples": self.samples, "runs": self.runs, "late": self.late}


def operation(name, client, users, me, rec):
    """One operation of the mix as user `me` (an index into users)."""
    user = users[me]
    auth = {"Authorization": "Bearer " + user["token"]}
    json_headers = dict(auth, **{"Content-Type": "application/json"})

    def call(route, method, path, body=None, headers=None):
        started = time.time()
        try:
            status, data = client.request(method, path, body=body, headers=headers if headers is not None else auth)
        except Exception as error:  # a socket error, a reset, a timeout
            rec.lat.setdefault(route, {})
            rec.error(route, "%s: %s" % (type(error).__name__, error))
            return None, b""
        rec.record(route, started, status, data)
        return status, data

    if name == "login":
        other = random.choice(users)
        status, data = call("POST /auth/login", "POST", "/api/v1/auth/login",
                            json.dumps({"username": other["username"], "password": PASSWORD}),
                            {"Content-Type": "application/json"})
        if status == 200:
            token = json.loads(data)["tokens"]["access_token"]
            call("POST /auth/logout", "POST", "/api/v1/auth/logout", "{}",
                 {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    elif name == "me":
        call("GET /auth/me", "GET", "/api/v1/auth/me")
    elif name == "list_strategies":
        call("GET /strategies", "GET", "/api/v1/strategies?limit=20")
    elif name == "list_datasets":
        call("GET /data/datasets", "GET", "/api/v1/data/datasets?limit=20")
    elif name == "list_runs":
        call("GET /runs", "GET", "/api/v1/runs?limit=20")
    elif name == "list_jobs":
        call("GET /jobs", "GET", "/api/v1/jobs?limit=20")
    elif name == "upload":
        content = daily_csv(100, random.getrandbits(32), start_year=random.randint(2000, 2015))
        body, ctype = multipart([("name", "soak-%d-%x" % (os.getpid(), random.getrandbits(48))), ("symbol", "UP")], "up.csv", content)
        call("POST /data/upload", "POST", "/api/v1/data/upload", body, dict(auth, **{"Content-Type": ctype}))
    elif name == "backtest":
        body = {"strategy": {"kind": "sma_crossover", "parameters": {"fast": 10, "slow": 30}},
                "dataset_id": user["dataset"], "symbol": "SOAK", "commission": 0.0005}
        call("POST /analysis/backtest", "POST", "/api/v1/analysis/backtest", json.dumps(body), json_headers)
    elif name == "execute":
        body = {"dataset_id": user["dataset"], "symbol": "SOAK", "mode": "backtest"}
        status, data = call("POST /strategies/{id}/execute", "POST", "/api/v1/strategies/%d/execute" % user["strategy"],
                            json.dumps(body), json_headers)
        if status == 202:
            rec.runs.append((json.loads(data)["id"], me))
    elif name == "export":
        call("GET /data/datasets/{id}/bars?format=csv", "GET", "/api/v1/data/datasets/%d/bars?format=csv" % user["dataset"])


def load_process(args, users, first_thread, threads, t0, until, rate_per_thread, out):
    """Threads of the mix in one process; puts its Recorder's dump on `out`."""
    host, port = urllib.parse.urlsplit(args.base).hostname, urllib.parse.urlsplit(args.base).port
    names = [n for n, _ in MIX]
    weights = [w for _, w in MIX]
    recorders = []

    def worker(index):
        rng = random.Random(index * 7919 + int(t0))
        rec = Recorder(t0, args.bucket)
        recorders.append(rec)
        # Each thread is a client of its own address (127.0.1.N with --source-addresses), as
        # separate users are: the app counts login attempts per address, in flight included.
        client = Client(host, port, "127.0.1.%d" % (index % 250 + 1) if args.source_addresses else None)
        me = index % len(users)
        due = time.time()
        while True:
            if rate_per_thread:
                due += rng.expovariate(rate_per_thread)
                now = time.time()
                if due > now:
                    if due >= until:
                        break
                    time.sleep(due - now)
                elif now - due > 1.0:  # behind by over a second: start now, count it
                    rec.late += 1
                    due = now
            if time.time() >= until:
                break
            operation(rng.choices(names, weights)[0], client, users, me, rec)
        client.close()

    pool = [threading.Thread(target=worker, args=(first_thread + i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    total = Recorder(t0, args.bucket)
    for rec in recorders:
        total.merge(rec.dump())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    dump = total.dump()
    dump["cpu_s"] = usage.ru_utime + usage.ru_stime
    out.put(dump)


def run_phase(args, users, seconds, rate):
    """The mix for `seconds` on args.threads threads in args.processes processes; rate None: unpaced."""
    t0 = time.time()
    until = t0 + seconds
    # Pacing counts operations; a login operation is two requests (the login and its logout).
    per_op = 1 + dict(MIX)["login"] / float(sum(w for _, w in MIX))
    per_thread = rate / per_op / args.threads if rate else None
    ctx = mp.get_context("forkserver")  # no fork of a process with the subscribers' threads
    out = ctx.Queue()
    shares = [args.threads // args.processes + (1 if i < args.threads % args.processes else 0) for i in range(args.processes)]
    procs, first = [], 0
    for share in shares:
        procs.append(ctx.Process(target=load_process, args=(args, users, first, share, t0, until, per_thread, out)))
        first += share
    for p in procs:
        p.start()
    total = Recorder(t0, args.bucket)
    for _ in procs:
        total.merge(out.get(timeout=seconds + 300))
    for p in procs:
        p.join(30)
    return total, time.time() - t0


def parse_event(block):
    """One EventSource message (its lines, without the blank line): (its id or None, its
    JSON data) or (None, None) for a comment or keep-alive."""
    event_id, data = None, None
    for line in block.split(b"\n"):
        if line.startswith(b"id:"):
            event_id = line[3:].strip().decode()
        elif line.startswith(b"data:"):
            data = line[5:].strip()
    return (event_id, json.loads(data)) if data is not None else (None, None)


def read_event_stream(sock, body, chunked, handle, keep_going):
    """Reads an EventSource answer from `sock` (`body`: the bytes that came with its headers;
    `chunked`: Transfer-Encoding chunked), calling handle(block) for each event, while
    keep_going(); raises ConnectionError when the server ends or closes the stream."""
    text = b""
    ended = False
    sock.settimeout(0.5)
    while keep_going():
        # De-chunk what has arrived; split into events on blank lines (those that came with
        # the last chunk too).
        if chunked:
            while True:
                i = body.find(b"\r\n")
                if i < 0:
                    break
                size = int(body[:i].split(b";")[0] or b"0", 16)
                if len(body) < i + 2 + size + 2:
                    break
                text += body[i + 2:i + 2 + size]
                body = body[i + 2 + size + 2:]
                if size == 0:
                    ended = True
                    break
        else:
            text, body = text + body, b""
        text = text.replace(b"\r\n", b"\n")
        while b"\n\n" in text:
            block, text = text.split(b"\n\n", 1)
            handle(block)
        if ended:
            raise ConnectionError("the server ended the stream")
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            raise ConnectionError("the server closed the stream")
        body += chunk


class Subscriber(threading.Thread):
    """A user's EventSource subscriber on `user` (a new ticket every `reconnect` s, resuming
    with last_event_id)."""

    def __init__(self, args, user, rec, stop):
        super().__init__(daemon=True)
        self.args, self.user, self.rec, self.stop = args, user, rec, stop
        split = urllib.parse.urlsplit(args.base)
        self.host, self.port = split.hostname, split.port
        self.events = 0
        self.connects = 0
        self.gaps = 0
        self.repeats = 0
        self.last_seq = None
        self.last_id = None
        self.finished_runs = {}  # run id -> terminal status seen on the channel
        self.lock = threading.Lock()

    def ticket(self, client):
        started = time.time()
        route = "POST /realtime/tickets"
        try:
            status, data = client.request("POST", "/api/v1/realtime/tickets", json.dumps({"channels": ["user"]}),
                                          {"Authorization": "Bearer " + self.user["token"], "Content-Type": "application/json"})
        except Exception as error:
            with self.lock:
                self.rec.error(route, "%s: %s" % (type(error).__name__, error))
            return None
        with self.lock:
            self.rec.record(route, started, status, data)
        if status != 200:
            return None
        return json.loads(data)["tickets"][0]["eventsource_url"]

    def handle(self, block):
        event_id, event = parse_event(block)
        if event is None:
            return
        if event_id:
            self.last_id = event_id
        self.events += 1
        seq = event.get("seq")
        if self.last_seq is not None:
            if seq > self.last_seq + 1:
                self.gaps += seq - self.last_seq - 1
            elif seq <= self.last_seq:
                self.repeats += 1
        if self.last_seq is None or seq > self.last_seq:
            self.last_seq = seq
        if event.get("type") == "run.status" and event["data"].get("status") in TERMINAL:
            self.finished_runs[event["data"]["id"]] = event["data"]["status"]

    def run(self):
        client = Client(self.host, self.port)
        route = "GET /realtime/channels/user:{id} (EventSource)"
        while not self.stop.is_set():
            url = self.ticket(client)
            if url is None:
                time.sleep(1)
                continue
            if url.startswith("http"):
                split = urllib.parse.urlsplit(url)
                url = split.path + "?" + split.query
            if self.last_id:
                url += "&last_event_id=" + urllib.parse.quote(self.last_id, safe="")
            started = time.time()
            try:
                sock = socket.create_connection((self.host, self.port), timeout=10)
                sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n" % (url, self.host, self.port)).encode())
                raw = b""
                while b"\r\n\r\n" not in raw:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed before the headers")
                    raw += chunk
                head, raw = raw.split(b"\r\n\r\n", 1)
                status = int(head.split(b" ", 2)[1])
                chunked = b"transfer-encoding: chunked" in head.lower()
            except Exception as error:
                with self.lock:
                    self.rec.error(route, "%s: %s" % (type(error).__name__, error))
                time.sleep(1)
                continue
            with self.lock:
                self.rec.record(route, started, status, raw if status != 200 else b"")
            if status != 200:
                sock.close()
                time.sleep(1)
                continue
            self.connects += 1
            deadline = time.time() + self.args.reconnect
            try:
                read_event_stream(sock, raw, chunked, self.handle, lambda: not self.stop.is_set() and time.time() < deadline)
            except Exception as error:
                with self.lock:
                    self.rec.error(route, "while streaming: %s: %s" % (type(error).__name__, error))
            sock.close()
        client.close()


def children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return sorted(kids)


def socket_inodes():
    """The inodes of this host's TCP and unix sockets: a descriptor that is a connection
    (a client's, or one of the kept-alive FastCGI connections nginx holds to the pool, up
    to its `keepalive`) is bounded by the connection limits; any other kind (files, pipes,
    epoll, eventfd) is where a leak of descriptors would show."""
    kinds = {}
    for kind, files in (("tcp", ("/proc/net/tcp", "/proc/net/tcp6")), ("unix", ("/proc/net/unix",))):
        for name in files:
            try:
                with open(name) as f:
                    next(f)
                    for line in f:
                        fields = line.split()
                        inode = fields[9] if kind == "tcp" else fields[6]
                        kinds[inode] = kind
            except (OSError, IndexError, StopIteration):
                pass
    return kinds


def fd_kinds(pid, sockets):
    counts = {"tcp": 0, "unix": 0, "other": 0}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            counts[sockets.get(target[8:-1], "other")] += 1
        else:
            counts["other"] += 1
    return counts


def proc_sample(pid, sockets=None):
    try:
        with open("/proc/%d/status" % pid) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        fds = len(os.listdir("/proc/%d/fd" % pid))
        # The floor of 10 counts over half a second: the descriptors a process holds for
        # itself, without the connections of the requests in flight at that instant (a
        # leak raises the floor; a busy instant only the single count).
        floor = fds
        for _ in range(9):
            time.sleep(0.05)
            floor = min(floor, len(os.listdir("/proc/%d/fd" % pid)))
        kib = lambda name: int(fields.get(name, "0 kB").split()[0])
        # VmRSS = RssAnon + RssFile + RssShmem: shared memory (nchan's store, the metrics
        # region) counts in each process that touched it.
        sample = {"rss_kib": kib("VmRSS"), "anon_kib": kib("RssAnon"), "shmem_kib": kib("RssShmem"), "fds": fds, "fds_floor": floor}
        if sockets is not None:
            sample["fd_kinds"] = fd_kinds(pid, sockets)
        return sample
    except (OSError, StopIteration):
        return None


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def psql(args, sql):
    # The statement on standard input: a soak's list of run ids is longer than one argument may be.
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "trademaster", "-d", "trademaster",
                          "-qtA", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError("psql: " + out.stderr.strip())
    return out.stdout.strip()


def sample_stack(args):
    """RSS and descriptors of every process of the stack; PostgreSQL's connections; Redis's memory."""
    run = os.path.join(args.state, "run")
    procs = {}
    sockets = socket_inodes()
    sample_of = lambda pid: proc_sample(pid, sockets)  # noqa: E731
    pool = read_pid(os.path.join(run, "tm.pid"))
    if pool:
        procs["pool master (%d)" % pool] = sample_of(pool)
        for i, kid in enumerate(children(pool)):
            procs["pool worker %d (%d)" % (i + 1, kid)] = sample_of(kid)
    nginx = read_pid(os.path.join(run, "nginx.pid"))
    if nginx:
        procs["nginx master (%d)" % nginx] = sample_of(nginx)
        for i, kid in enumerate(children(nginx)):
            procs["nginx worker %d (%d)" % (i + 1, kid)] = sample_of(kid)
    for name, file in (("tm relay", "relay.pid"), ("tm worker", "worker.pid"), ("redis-server", "redis.pid")):
        pid = read_pid(os.path.join(run, file))
        if pid:
            procs["%s (%d)" % (name, pid)] = sample_of(pid)
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    # The machine's CPU ticks (busy, all): the busy share between two samples is the whole
    # machine's, the load generator's and other engineers' work included.
    sample = {"time": time.time(), "processes": procs, "cpu_ticks": [sum(cpu) - cpu[3] - cpu[4], sum(cpu)], "loadavg1": load1}
    try:
        rows = psql(args, "SELECT coalesce(backend_type, '?'), count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() GROUP BY 1")
        kinds = dict((line.split("|")[0], int(line.split("|")[1])) for line in rows.splitlines() if line)
        sample["pg_connections"] = kinds.get("client backend", 0)
        sample["pg_backends"] = sum(kinds.values())
    except Exception as error:
        sample["pg_error"] = str(error)
    if args.redis_port:
        try:
            info = subprocess.run(["redis-cli", "-p", str(args.redis_port), "info"], capture_output=True, text=True, timeout=10).stdout
            fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
            sample["redis_used_memory"] = int(fields.get("used_memory", "0"))
            sample["redis_clients"] = int(fields.get("connected_clients", "0"))
            keys = subprocess.run(["redis-cli", "-p", str(args.redis_port), "dbsize"], capture_output=True, text=True, timeout=10).stdout
            sample["redis_keys"] = int(keys.strip() or 0)
            # Keys by kind (the name without its last ':' part, e.g. tm:realtime:seq:run).
            names = subprocess.run(["redis-cli", "-p", str(args.redis_port), "--scan", "--count", "1000"],
                                   capture_output=True, text=True, timeout=30).stdout
            kinds = {}
            for name in names.splitlines():
                kind = name.rsplit(":", 1)[0] if ":" in name else name
                kinds[kind] = kinds.get(kind, 0) + 1
            sample["redis_keys_by_kind"] = kinds
        except Exception as error:
            sample["redis_error"] = str(error)
    # nchan's count of its message store (the publisher socket's stub status).
    socket_path = os.path.join(run, "nchan-publish.sock")
    if os.path.exists(socket_path):
        try:
            text = subprocess.run(["curl", "-s", "--max-time", "5", "--unix-socket", socket_path, "http://localhost/_tm/realtime/status"],
                                  capture_output=True, text=True, timeout=10).stdout
            nchan = {}
            for line in text.splitlines():
                name, _, value = line.partition(":")
                value = value.strip()
                scale = 1024 if value.endswith("K") else 1
                try:
                    nchan[name.strip()] = int(value.rstrip("K")) * scale
                except ValueError:
                    pass
            sample["nchan"] = nchan
        except Exception as error:
            sample["nchan_error"] = str(error)
    return sample


def prepare_user(client, name, password, content, label, symbol):
    """Logs `name` in with `password`, uploads `content` as its base dataset and makes an SMA strategy; answers
    {username, token, dataset, strategy} (the soak's and the cluster's users alike)."""
    status, data = client.request("POST", "/api/v1/auth/login", json.dumps({"username": name, "password": password}),
                                  {"Content-Type": "application/json"})
    if status != 200:
        sys.exit("setup: login of %s answered %d: %s" % (name, status, data[:300]))
    token = json.loads(data)["tokens"]["access_token"]
    auth = {"Authorization": "Bearer " + token}
    body, ctype = multipart([("name", label + "-base"), ("symbol", symbol)], "base.csv", content)
    status, data = client.request("POST", "/api/v1/data/upload", body, dict(auth, **{"Content-Type": ctype}))
    if status != 201:
        sys.exit("setup: the base upload answered %d: %s" % (status, data[:300]))
    dataset = json.loads(data)["id"]
    strategy = {"name": label + " sma", "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "sma_crossover",
                "parameters": {"fast": 10, "slow": 30}}
    status, data = client.request("POST", "/api/v1/strategies", json.dumps(strategy),
                                  dict(auth, **{"Content-Type": "application/json"}))
    if status != 201:
        sys.exit("setup: POST /strategies answered %d: %s" % (status, data[:300]))
    return {"username": name, "token": token, "dataset": dataset, "strategy": json.loads(data)["id"]}


def setup(args):
    """Each user logs in, uploads its base dataset (--rows daily bars) and makes a strategy."""
    with open(args.users_file) as f:
        names = [line.strip() for line in f if line.strip()]
    split = urllib.parse.urlsplit(args.base)
    client = Client(split.hostname, split.port)
    content = daily_csv(args.rows, 42)
    users = [prepare_user(client, name, PASSWORD, content, "soak", "SOAK") for name in names]
    client.close()
    return users


def wait_for_runs(args, run_ids, deadline):
    """Polls PostgreSQL until every run is finished or the deadline; answers {id: status}."""
    statuses = {}
    while True:
        pending = [r for r in run_ids if statuses.get(r) not in TERMINAL]
        for i in range(0, len(pending), 2000):
            part = pending[i:i + 2000]
            rows = psql(args, "SELECT id, status FROM runs WHERE id IN (%s)" % ",".join(str(int(r)) for r in part))
            for line in rows.splitlines():
                run_id, status = line.split("|")
                statuses[int(run_id)] = status
        pending = [r for r in run_ids if statuses.get(r) not in TERMINAL]
        if not pending or time.time() > deadline:
            return statuses
        time.sleep(2)


def route_table(rec, seconds, buckets):
    rows = {}
    for route in sorted(set(rec.lat) | set(rec.errors)):
        per = rec.lat.get(route, {})
        everything = [v for values in per.values() for v in values]
        rows[route] = {
            "requests": len(everything),
            "errors": rec.errors.get(route, 0),
            "error_samples": rec.samples.get(route, []),
            "p50_ms": round(percentile(everything, 50), 1) if everything else None,
            "p99_ms": round(percentile(everything, 99), 1) if everything else None,
            "per_minute": [{"minute": i + 1, "requests": len(per.get(i, [])),
                            "p50_ms": round(percentile(per.get(i, []), 50), 1) if per.get(i) else None,
                            "p99_ms": round(percentile(per.get(i, []), 99), 1) if per.get(i) else None}
                           for i in range(buckets)],
        }
    return rows


def growth(a, b):
    return round((b - a) * 100.0 / a, 1) if a else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base")
    parser.add_argument("--state")
    parser.add_argument("--users-file")
    parser.add_argument("--pg-port", type=int)
    parser.add_argument("--redis-port", type=int)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--calibrate", type=int, default=20)
    parser.add_argument("--load", type=float, default=0.70)
    parser.add_argument("--rate", type=float, help="the soak's requests/s (skips the calibration)")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--bucket", type=int, default=60)
    parser.add_argument("--reconnect", type=int, default=60)
    parser.add_argument("--drain", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=0,
                        help="seconds of the soak (within --seconds) before the minutes whose RSS and descriptors are compared")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--source-addresses", type=int, default=1,
                        help="1: each load thread connects from its own 127.0.1.N (0: all from 127.0.0.1)")
    parser.add_argument("--out")
    parser.add_argument("--markdown", metavar="REPORT", help="print the tables of an earlier report and exit")
    args = parser.parse_args()
    if args.markdown:
        with open(args.markdown) as f:
            print(markdown(json.load(f)))
        return
    started_at = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())

    users = setup(args)
    log("setup: %d users, each with a %d-bar dataset and a strategy" % (len(users), args.rows))

    calibration = None
    if args.rate:
        target = args.rate
    else:
        log("calibration: %d s of the mix, unpaced, %d threads" % (args.calibrate, args.threads))
        cal, elapsed = run_phase(args, users, args.calibrate, None)
        # Requests per route; the lists' and me's dominate. Executes here are runs too: tracked.
        count = sum(len(v) for per in cal.lat.values() for v in per.values())
        rate = count / elapsed
        calibration = {"seconds": round(elapsed, 1), "threads": args.threads, "requests": count, "requests_per_s": round(rate, 1),
                       "loadgen_cpu_s": round(cal.cpu_s, 1),
                       "errors": sum(cal.errors.values()), "error_samples": cal.samples,
                       "routes": {r: sum(len(v) for v in per.values()) for r, per in cal.lat.items()}}
        target = rate * args.load
        log("calibration: %d requests in %.1f s = %.1f req/s, %d errors; the soak: %.0f %% of it = %.1f req/s"
            % (count, elapsed, rate, calibration["errors"], args.load * 100, target))
        cal_runs = [r for r, _ in cal.runs]
        statuses = wait_for_runs(args, cal_runs, time.time() + args.drain)
        calibration["runs"] = len(cal_runs)
        calibration["runs_unfinished_after_drain"] = sum(1 for r in cal_runs if statuses.get(r) not in TERMINAL)
        time.sleep(5)

    # The soak, with the subscribers and the sampler beside it.
    stop = threading.Event()
    sub_rec = Recorder(time.time(), args.bucket)
    subscribers = [Subscriber(args, user, sub_rec, stop) for user in users]
    for s in subscribers:
        s.start()
    time.sleep(2)
    buckets = max(1, -(-args.seconds // args.bucket))
    samples = [dict(sample_stack(args), minute=0)]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    log("soak: %d s at %.1f req/s on %d threads, %d subscribers" % (args.seconds, target, args.threads, len(subscribers)))
    t0 = time.time()
    sub_rec.t0 = t0

    def sampler():
        for minute in range(1, buckets + 1):
            due = t0 + min(minute * args.bucket, args.seconds) - 1
            while time.time() < due:
                time.sleep(0.2)
            samples.append(dict(sample_stack(args), minute=minute))
            log("minute %d: pg connections %s" % (minute, samples[-1].get("pg_connections")))
            # Kept as they come, so that a failure after the soak does not lose them.
            with open(args.out + ".samples", "w") as f:
                json.dump(samples, f)

    sampling = threading.Thread(target=sampler, daemon=True)
    sampling.start()
    soak, elapsed = run_phase(args, users, args.seconds, target)
    sampling.join(60)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    log("soak done: draining the runs")
    run_ids = [r for r, _ in soak.runs]
    statuses = wait_for_runs(args, run_ids, time.time() + args.drain)
    time.sleep(3)  # the last events on their way to the subscribers
    stop.set()
    for s in subscribers:
        s.join(5)
    soak.merge(sub_rec.dump())

    # Jobs: every executed run's status; the strategy.run jobs of this soak in PostgreSQL.
    lost = [r for r in run_ids if statuses.get(r) not in TERMINAL]
    ids = ",".join(str(int(r)) for r in run_ids) or "0"
    job_rows = psql(args, "SELECT status, count(*), coalesce(sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), 0) FROM jobs "
                          "WHERE kind = 'strategy.run' AND (payload->>'run_id')::bigint IN (%s) GROUP BY 1" % ids)
    jobs_by_status = {line.split("|")[0]: int(line.split("|")[1]) for line in job_rows.splitlines() if line}
    retried = sum(int(line.split("|")[2]) for line in job_rows.splitlines() if line)
    seen_finished = {}
    for s in subscribers:
        seen_finished.update(s.finished_runs)
    finished = [r for r in run_ids if statuses.get(r) in TERMINAL]
    jobs = {
        "submitted": len(run_ids),
        "succeeded": sum(1 for r in run_ids if statuses.get(r) == "succeeded"),
        "failed": sum(1 for r in run_ids if statuses.get(r) == "failed"),
        "cancelled": sum(1 for r in run_ids if statuses.get(r) == "cancelled"),
        "lost": len(lost), "lost_ids": lost[:50],
        "jobs_in_postgres_by_status": jobs_by_status, "jobs_retried": retried,
        "finished_runs_announced_on_realtime": sum(1 for r in finished if r in seen_finished),
    }

    routes = route_table(soak, args.seconds, buckets)
    requests = sum(r["requests"] for r in routes.values())
    per_minute_rate = [round(sum(len(per.get(i, [])) for per in soak.lat.values()) / min(args.bucket, args.seconds - i * args.bucket), 1)
                       for i in range(buckets)]
    # The minutes compared: the first after the warm-up (the retention windows filling: nchan's
    # replay store, Redis's keys of finished channels) and the last.
    first_minute = args.warmup // args.bucket + 1
    first = next((s for s in samples if s["minute"] == first_minute), samples[0])
    if len(samples) < 3:  # a one-minute run: compare the start with the end
        first = samples[0]
    last = samples[-1]
    procs = {}
    for name in sorted(set(first["processes"]) | set(last["processes"])):
        a, b = first["processes"].get(name), last["processes"].get(name)
        procs[name] = {
            "rss_kib_first": a and a["rss_kib"], "rss_kib_last": b and b["rss_kib"],
            "rss_growth_pct": growth(a["rss_kib"], b["rss_kib"]) if a and b else None,
            "fds_first": a and a["fds"], "fds_last": b and b["fds"],
            "fds_growth_pct": growth(a["fds"], b["fds"]) if a and b else None,
            "fds_other_first": a and a.get("fd_kinds", {}).get("other"), "fds_other_last": b and b.get("fd_kinds", {}).get("other"),
            "fds_floor_first": a and a.get("fds_floor"), "fds_floor_last": b and b.get("fds_floor"),
            "fds_floor_growth_pct": growth(a["fds_floor"], b["fds_floor"]) if a and b and "fds_floor" in a and "fds_floor" in b else None,
            "fds_other_growth_pct": growth(a["fd_kinds"]["other"], b["fd_kinds"]["other"]) if a and b and "fd_kinds" in a and "fd_kinds" in b else None,
            "note": "" if a and b else ("gone by the end" if a else "not there at the first sample"),
        }
    realtime = {
        "subscribers": len(subscribers), "connects": sum(s.connects for s in subscribers),
        "events": sum(s.events for s in subscribers), "seq_gaps": sum(s.gaps for s in subscribers),
        "seq_repeats": sum(s.repeats for s in subscribers),
    }
    # The load processes' CPU, and the main process's (subscribers, sampler) during the soak.
    loadgen_cpu = round(soak.cpu_s + cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1)
    report = {
        "started_at": started_at, "seconds": args.seconds, "elapsed_s": round(elapsed, 1), "bucket_s": args.bucket,
        "threads": args.threads, "processes": args.processes, "users": len(users), "mix": dict(MIX),
        "source_addresses": bool(args.source_addresses),
        "calibration": calibration, "load": args.load, "target_requests_per_s": round(target, 1),
        "achieved_requests_per_s": round(requests / elapsed, 1), "requests_per_s_per_minute": per_minute_rate,
        "late_starts": soak.late, "loadgen_cpu_s": loadgen_cpu,
        "requests": requests, "errors": sum(r["errors"] for r in routes.values()),
        "routes": routes, "warmup_s": args.warmup,
        "processes_compared": {"first_minute": first["minute"], "last_minute": last["minute"], "processes": procs},
        "samples": samples, "jobs": jobs, "realtime": realtime,
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(markdown(report))


def fmt(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return "%.1f" % v if v < 100 else "{:,.0f}".format(v)
    return "{:,}".format(v)


def markdown(r):
    out = []
    cal = r["calibration"]
    if cal:
        out.append("Calibration: %s s unpaced on %d threads: %s requests, %s req/s, %d errors, load generator CPU %s s. "
                   "Soak target: %d %% = %s req/s."
                   % (cal["seconds"], cal["threads"], fmt(cal["requests"]), fmt(cal["requests_per_s"]), cal["errors"],
                      fmt(cal.get("loadgen_cpu_s")),
                      round(r["load"] * 100), fmt(r["target_requests_per_s"])))
    out.append("Soak: %s s, %s requests (%s req/s achieved; per minute: %s), %d errors, %d late starts; load generator CPU %s s."
               % (r["elapsed_s"], fmt(r["requests"]), fmt(r["achieved_requests_per_s"]),
                  ", ".join(fmt(x) for x in r["requests_per_s_per_minute"]), r["errors"], r["late_starts"], fmt(r["loadgen_cpu_s"])))
    out.append("")
    minutes = len(next(iter(r["routes"].values()))["per_minute"]) if r["routes"] else 0
    out.append("| route | requests | errors | p50 ms | " + " | ".join("p99 m%d" % (i + 1) for i in range(minutes)) + " |")
    out.append("|---|---:|---:|---:|" + "---:|" * minutes)
    for route, row in r["routes"].items():
        out.append("| `%s` | %s | %d | %s | %s |" % (route, fmt(row["requests"]), row["errors"], fmt(row["p50_ms"]),
                                                   " | ".join(fmt(m["p99_ms"]) for m in row["per_minute"])))
    pc = r["processes_compared"]
    out.append("")
    out.append("| process | RSS MiB m%d | RSS MiB m%d | growth | fds m%d | fds m%d | growth | fds not connections m%d → m%d | growth |"
               % (pc["first_minute"], pc["last_minute"], pc["first_minute"], pc["last_minute"], pc["first_minute"], pc["last_minute"]))
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    pct = lambda v: "–" if v is None else "%+.1f %%" % v
    for name, p in pc["processes"].items():
        mib = lambda k: fmt(round(k / 1024.0, 1)) if k else "–"
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s → %s | %s |" % (
            name + ((" (" + p["note"] + ")") if p["note"] else ""), mib(p["rss_kib_first"]), mib(p["rss_kib_last"]),
            pct(p["rss_growth_pct"]), fmt(p["fds_first"]), fmt(p["fds_last"]), pct(p["fds_growth_pct"]),
            fmt(p.get("fds_other_first")), fmt(p.get("fds_other_last")), pct(p.get("fds_other_growth_pct"))))
    out.append("")
    out.append("Descriptors per minute, all (connections: tcp + unix; other: files, pipes, epoll, eventfd):")
    for name in pc["processes"]:
        out.append("- %s: %s" % (name, ", ".join(
            "m%d %d (%s)" % (s["minute"], s["processes"][name]["fds"],
                             "%d+%d; %d" % (s["processes"][name]["fd_kinds"]["tcp"], s["processes"][name]["fd_kinds"]["unix"],
                                            s["processes"][name]["fd_kinds"]["other"]) if "fd_kinds" in s["processes"][name] else "?")
            for s in r["samples"] if s["processes"].get(name))))
    out.append("")
    out.append("RSS MiB per minute (m0 = before the soak):")
    for name in pc["processes"]:
        out.append("- %s: %s" % (name, ", ".join(
            "m%d %.1f" % (s["minute"], s["processes"][name]["rss_kib"] / 1024.0)
            for s in r["samples"] if s["processes"].get(name))))
    out.append("")
    out.append("PostgreSQL client connections per minute (m0 = before): " + ", ".join(
        "m%d %s" % (s["minute"], s.get("pg_connections", "?")) for s in r["samples"]))
    ticks = [s["cpu_ticks"] for s in r["samples"] if "cpu_ticks" in s]
    if len(ticks) > 1:
        out.append("Machine CPU busy per minute (all processes, 2 cores): " + ", ".join(
            "m%d %d %%" % (i + 1, round(100.0 * (b[0] - a[0]) / max(1, b[1] - a[1]))) for i, (a, b) in enumerate(zip(ticks, ticks[1:]))))
    shm = [(n, p) for n, p in r["samples"][-1]["processes"].items() if p and p.get("shmem_kib")]
    if shm:
        out.append("RSS at the end, anonymous / shared MiB: " + ", ".join(
            "%s %.1f / %.1f" % (n.split(" (")[0], p["anon_kib"] / 1024.0, p["shmem_kib"] / 1024.0) for n, p in shm))
    if "redis_used_memory" in r["samples"][0]:
        out.append("Redis used_memory MiB / keys per minute: " + ", ".join(
            "m%d %.1f/%s" % (s["minute"], s.get("redis_used_memory", 0) / 1048576.0, s.get("redis_keys", "?")) for s in r["samples"]))
        kinds = r["samples"][-1].get("redis_keys_by_kind") or {}
        if kinds:
            out.append("Redis keys by kind at the end: " + ", ".join(
                "%s %d" % (k, n) for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]))
    if any("nchan" in s for s in r["samples"]):
        out.append("nchan's store per minute, MiB used / stored messages / channels: " + ", ".join(
            "m%d %.1f/%s/%s" % (s["minute"], s["nchan"].get("shared memory used", 0) / 1048576.0, s["nchan"].get("stored messages", "?"),
                                s["nchan"].get("channels", "?")) for s in r["samples"] if "nchan" in s))
    j = r["jobs"]
    out.append("Jobs (executes): %d submitted, %d succeeded, %d failed, %d cancelled, **%d lost**; strategy.run jobs in PostgreSQL: %s, %d retried; "
               "finished runs announced on the subscribers' channels: %d."
               % (j["submitted"], j["succeeded"], j["failed"], j["cancelled"], j["lost"],
                  json.dumps(j["jobs_in_postgres_by_status"]), j["jobs_retried"], j["finished_runs_announced_on_realtime"]))
    rt = r["realtime"]
    out.append("Real time: %d subscribers, %d connections, %d events, %d seq gaps, %d repeats."
               % (rt["subscribers"], rt["connects"], rt["events"], rt["seq_gaps"], rt["seq_repeats"]))
    errs = [(route, row["error_samples"]) for route, row in r["routes"].items() if row["errors"]]
    if errs:
        out.append("")
        out.append("Errors (first samples):")
        for route, samples in errs:
            for s in samples:
                out.append("- `%s`: %s" % (route, s.replace("\n", " ")))
    return "\n".join(out)


if __name__ == "__main__":
    main()
