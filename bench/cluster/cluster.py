#!/usr/bin/env python3
"""bench/cluster/cluster.py: the load and the scenarios of bench/cluster/run (run inside the
cluster's client namespace; bench/cluster/run starts it).

A steady load through the load balancer (sign-in once per user, then /auth/me, the strategy
list, strategy creation (the writes whose loss is counted) and executes (jobs for the
workers)), and real-time subscribers on the `user` channel of every user, one set connected
straight to each app host (so events published by a worker are seen arriving on both).
A subscriber whose host is lost reconnects through the load balancer with the id of the
last event it had, as a browser's EventSource would.

Meanwhile the scenarios, one after the other, each acting through `bench/cluster/run
--action ...`:
  app        kill every process of app host 2; restart it after --app-down seconds
  worker     submit a burst of executes, kill worker host 1 while it runs some of them
  redis      kill the Redis primary's host (Redis and its sentinel); Sentinel promotes a replica
  postgres   kill the PostgreSQL primary's host; promote the standby --promote-after seconds later
  realtime   (from the whole run) events reach the subscribers of both app hosts, numbered
             without gaps outside the outages

Prints one line per scenario and a JSON report (--out); exits 1 when a goal is missed.
"""
import argparse, http.client, json, os, random, socket, subprocess, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "soak"))
from soak import Client, daily_csv, multipart, parse_event, prepare_user, read_event_stream  # noqa: E402  (shared with the soak)

PASSWORD = "Cluster-Password-42"
TERMINAL = ("succeeded", "failed", "cancelled")


def now():
    return time.time()


class Log:
    """Every request the load sent: (start, end, route, status or None, error text)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.writes = []  # (acknowledged at, strategy id)
        self.runs = []  # (accepted at, run id, user)
        self.marks = {}

    def add(self, started, ended, route, status, error=None):
        with self.lock:
            self.requests.append((started, ended, route, status, error))

    def mark(self, name):
        with self.lock:
            self.marks[name] = now()
        print("[%s] %s" % (time.strftime("%H:%M:%S"), name), flush=True)


def action(args, *words):
    """Runs `bench/cluster/run --action WORDS` (as root, from this namespace)."""
    started = now()
    result = subprocess.run([args.run, "--action", *words], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit("action %s failed after %.1f s: %s%s" % (" ".join(words), now() - started, result.stdout[-2000:], result.stderr[-2000:]))
    return result.stdout.strip()


def psql(args, sql):
    """A query on whichever PostgreSQL host is the primary now."""
    for host in args.pg_hosts.split(","):
        result = subprocess.run(["psql", "-h", host, "-p", "5432", "-U", "trademaster", "-d", "trademaster", "-tAc", sql,
                                 "--set=ON_ERROR_STOP=1"], capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, PGCONNECT_TIMEOUT="2", PGTARGETSESSIONATTRS="read-write"))
        if result.returncode == 0:
            return result.stdout.strip()
    raise RuntimeError("no PostgreSQL primary answered: " + result.stderr.strip())


def request(client, log, route, method, path, body=None, headers=None):
    started = now()
    try:
        status, data = client.request(method, path, body, headers, timeout=30)
    except Exception as error:  # a refused or reset connection, a timeout
        log.add(started, now(), route, None, "%s: %s" % (type(error).__name__, error))
        return None, b""
    log.add(started, now(), route, status, None if status < 500 else data[:200].decode(errors="replace"))
    return status, data


def setup(args, names):
    host, port = args.lb.split(":")
    client = Client(host, int(port))
    content = daily_csv(args.rows, 7)
    users = [prepare_user(client, name, PASSWORD, content, "cluster", "CLU") for name in names]
    # The worker scenario's backtests run on a longer series, so that a kill finds some running.
    auth = {"Authorization": "Bearer " + users[0]["token"]}
    body, ctype = multipart([("name", "cluster-long"), ("symbol", "CLU")], "long.csv", daily_csv(args.burst_rows, 11, start_year=1900))
    status, data = client.request("POST", "/api/v1/data/upload", body, dict(auth, **{"Content-Type": ctype}), timeout=300)
    if status != 201:
        sys.exit("setup: the long upload answered %d: %s" % (status, data[:300]))
    users[0]["long_dataset"] = json.loads(data)["id"]
    client.close()
    return users


def execute(client, log, user):
    status, data = request(client, log, "POST /strategies/{id}/execute", "POST", "/api/v1/strategies/%d/execute" % user["strategy"],
                           json.dumps({"dataset_id": user["dataset"], "symbol": "CLU", "mode": "backtest"}),
                           {"Authorization": "Bearer " + user["token"], "Content-Type": "application/json"})
    if status == 202:
        run = json.loads(data)["id"]
        with log.lock:
            log.runs.append((now(), run, user["username"]))
        return run
    return None


def load_thread(args, users, log, stop, index):
    host, port = args.lb.split(":")
    client = Client(host, int(port))
    rng = random.Random(index)
    counter = 0
    while not stop.is_set():
        user = users[rng.randrange(len(users))]
        auth = {"Authorization": "Bearer " + user["token"]}
        pick = rng.random()
        if pick < 0.45:
            request(client, log, "GET /auth/me", "GET", "/api/v1/auth/me", None, auth)
        elif pick < 0.70:
            request(client, log, "GET /strategies", "GET", "/api/v1/strategies?limit=5", None, auth)
        elif pick < 0.95:
            counter += 1
            body = json.dumps({"name": "w-%d-%d-%x" % (index, counter, rng.getrandbits(32)), "strategy_type": "algorithmic_trading",
                               "engine": "builtin", "kind": "sma_crossover",
                               "parameters": {"fast": 5, "slow": 20}})
            status, data = request(client, log, "POST /strategies", "POST", "/api/v1/strategies", body,
                                   dict(auth, **{"Content-Type": "application/json"}))
            if status == 201:
                with log.lock:
                    log.writes.append((now(), json.loads(data)["id"]))
        else:
            execute(client, log, user)
        stop.wait(args.pause)
    client.close()


class Subscriber(threading.Thread):
    """One EventSource on `user:{id}`, first straight to one app host; after losing it,
    through the load balancer, resuming from the last event id."""

    def __init__(self, args, user, home, stop):
        super().__init__(daemon=True)
        self.args, self.user, self.home, self.stop = args, user, home, stop
        self.events = []  # (received at, seq, type, data)
        self.connects = []  # (at, host:port)
        self.last_id = None

    def ticket(self):
        host, port = self.args.lb.split(":")
        client = Client(host, int(port))
        try:
            status, data = client.request("POST", "/api/v1/realtime/tickets", json.dumps({"channels": ["user"]}),
                                          {"Authorization": "Bearer " + self.user["token"], "Content-Type": "application/json"})
        finally:
            client.close()
        if status != 200:
            raise RuntimeError("ticket: %d" % status)
        url = json.loads(data)["tickets"][0]["eventsource_url"]
        split = urllib.parse.urlsplit(url)
        return split.path + "?" + split.query

    def run(self):
        target = self.home
        while not self.stop.is_set():
            try:
                path = self.ticket()
                if self.last_id:
                    path += "&last_event_id=" + urllib.parse.quote(self.last_id, safe="")
                host, port = target.split(":")
                sock = socket.create_connection((host, int(port)), timeout=5)
                sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n" % (path, target)).encode())
                self.stream(sock, target)
            except Exception:
                pass
            # Lost (or never reached): from now on through the load balancer.
            target = self.args.lb
            self.stop.wait(0.5)

    def stream(self, sock, target):
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the headers")
            raw += chunk
        head, body = raw.split(b"\r\n\r\n", 1)
        if int(head.split(b" ", 2)[1]) != 200:
            raise ConnectionError(head[:100])
        self.connects.append((now(), target))
        read_event_stream(sock, body, b"transfer-encoding: chunked" in head.lower(), self.handle, lambda: not self.stop.is_set())

    def handle(self, block):
        event_id, event = parse_event(block)
        if event is None:
            return
        if event_id:
            self.last_id = event_id
        self.events.append((now(), event.get("seq"), event.get("type"), event.get("data") or {}))


def failures(log, start, end):
    """Requests that failed (no answer or 5xx) and started or ended within [start, end]."""
    out = []
    for started, ended, route, status, error in log.requests:
        if (status is None or status >= 500) and ended >= start and started <= end:
            out.append((started, ended, route, status, error))
    return out


def wait_runs(args, run_ids, seconds):
    deadline = now() + seconds
    statuses = {}
    while run_ids:
        try:
            rows = psql(args, "SELECT id, status FROM runs WHERE id IN (%s)" % ",".join(str(r) for r in run_ids))
            statuses = dict((int(a), b) for a, b in (line.split("|") for line in rows.splitlines() if line))
        except RuntimeError:
            pass
        if all(statuses.get(r) in TERMINAL for r in run_ids) or now() > deadline:
            break
        time.sleep(1)
    return statuses


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lb", required=True, help="the load balancer, host:port")
    p.add_argument("--apps", required=True, help="the app hosts' nginx, host:port,host:port")
    p.add_argument("--pg-hosts", required=True, help="the PostgreSQL hosts, for checks")
    p.add_argument("--users-file", required=True)
    p.add_argument("--run", required=True, help="bench/cluster/run, for --action")
    p.add_argument("--threads", type=int, default=6)
    p.add_argument("--pause", type=float, default=0.02, help="seconds each load thread waits between requests")
    p.add_argument("--rows", type=int, default=5000, help="bars of each user's dataset (a backtest's length)")
    p.add_argument("--warm", type=float, default=10)
    p.add_argument("--app-down", type=float, default=15)
    p.add_argument("--burst", type=int, default=16, help="executes submitted for the worker scenario")
    p.add_argument("--burst-rows", type=int, default=60000, help="bars of the worker scenario's backtests")
    p.add_argument("--promote-after", type=float, default=3)
    p.add_argument("--settle", type=float, default=10, help="seconds of load after each recovery")
    p.add_argument("--lb-log", required=True, help="the balancer's access log")
    p.add_argument("--out", required=True)
    args = p.parse_args()

    with open(args.users_file) as f:
        names = [line.strip() for line in f if line.strip()]
    users = setup(args, names)
    log = Log()
    stop = threading.Event()
    apps = args.apps.split(",")
    subscribers = [Subscriber(args, user, app, stop) for app in apps for user in users]
    for s in subscribers:
        s.start()
    time.sleep(2)
    threads = [threading.Thread(target=load_thread, args=(args, users, log, stop, i), daemon=True) for i in range(args.threads)]
    for t in threads:
        t.start()
    report = {"scenarios": {}}
    results = report["scenarios"]
    ok = True

    log.mark("load started")
    time.sleep(args.warm)
    steady_end = now()

    # 1. An app host lost.
    log.mark("app: killing app host 2")
    t_kill, t_dead = map(float, action(args, "kill", "app2").split())
    time.sleep(args.app_down)
    t_back = now()
    action(args, "start-app", "app2")
    log.mark("app: app host 2 restarted")
    time.sleep(args.settle)
    failed = failures(log, t_kill, t_back)
    # In flight: sent before the host's last process was gone (SIGKILL takes a few ms to
    # end them all); a request sent after that meets a refused connection, which the
    # balancer retries on the other host.
    in_flight = [f for f in failed if f[0] <= t_dead]
    after = [f for f in failed if f[0] > t_dead]
    # From the balancer's log: when it first found app host 2 gone, and how often it tried
    # it again while it was down (each such request went on to app host 1).
    app2 = apps[1]
    tried = []
    with open(args.lb_log) as f:
        for line in f:
            entry = json.loads(line)
            at = float(entry["ts"]) - float(entry["request_time"])
            if t_kill <= at <= t_back and app2 in entry["upstream"]:
                tried.append((at, entry["upstream"], entry["status"]))
    detected = round(tried[0][0] - t_kill, 3) if tried else None
    results["app"] = {"failed": len(failed), "in_flight": len(in_flight), "after": len(after),
                      "kill_took_s": round(t_dead - t_kill, 3),
                      "after_examples": [list(map(str, f)) for f in after[:5]],
                      "detected_after_s": detected, "requests_sent_to_the_dead_host": len(tried),
                      "of_them_answered_by_the_other": sum(1 for _, up, status in tried if "," in up and status < 500)}
    ok &= not after

    # 2. A worker host lost mid-job.
    log.mark("worker: a burst of executes")
    host, port = args.lb.split(":")
    client = Client(host, int(port))
    long_user = dict(users[0], dataset=users[0]["long_dataset"])
    burst = []
    for i in range(args.burst):
        run = execute(client, log, long_user)
        if run:
            burst.append(run)
    client.close()
    deadline = now() + 60
    running_on_1 = 0
    while now() < deadline:
        try:
            running_on_1 = int(psql(args, "SELECT count(*) FROM jobs WHERE status = 'running' AND lease_owner LIKE 'wk1:%'"))
        except RuntimeError:
            running_on_1 = 0
        if running_on_1 >= 2:
            break
        time.sleep(0.02)
    log.mark("worker: killing worker host 1 (%d jobs running there)" % running_on_1)
    action(args, "kill", "wk1")
    statuses = wait_runs(args, burst, 180)
    succeeded = [r for r in burst if statuses.get(r) == "succeeded"]
    trades = {}
    if burst:
        rows = psql(args, "SELECT r.id, (SELECT count(*) FROM run_trades t WHERE t.run_id = r.id), j.attempts FROM runs r "
                          "JOIN jobs j ON j.id = r.job_id WHERE r.id IN (%s)" % ",".join(map(str, burst)))
        for line in rows.splitlines():
            run_id, count, attempts = line.split("|")
            trades[int(run_id)] = (int(count), int(attempts))
    counts = sorted(set(c for c, _ in trades.values()))
    taken_over = sum(1 for _, a in trades.values() if a > 1)
    results["worker"] = {"jobs": len(burst), "running_on_killed_host": running_on_1, "succeeded": len(succeeded),
                         "not_succeeded": {str(r): statuses.get(r) for r in burst if statuses.get(r) != "succeeded"},
                         "trade_counts": counts, "taken_over": taken_over}
    # Identical backtests: one trade count for all; a run whose effects were applied twice would show double.
    ok &= len(succeeded) == len(burst) and running_on_1 > 0 and len(counts) == 1
    action(args, "start-worker", "wk1")

    # 3. The Redis primary lost.
    time.sleep(args.settle)
    log.mark("redis: killing the Redis primary's host")
    t_kill = float(action(args, "kill", "rd1").split()[0])
    time.sleep(args.settle * 2)
    t_end = now()
    failed = failures(log, t_kill, t_end)
    outage = max((f[1] for f in failed), default=t_kill) - t_kill
    signed_out = []
    host, port = args.lb.split(":")
    client = Client(host, int(port))
    for user in users:
        status, _ = request(client, log, "GET /auth/me (after)", "GET", "/api/v1/auth/me", None, {"Authorization": "Bearer " + user["token"]})
        if status != 200:
            signed_out.append((user["username"], status))
    client.close()
    results["redis"] = {"failed": len(failed), "outage_s": round(outage, 2), "signed_out": signed_out,
                        "new_primary": action(args, "redis-primary")}
    ok &= not signed_out

    # 4. The PostgreSQL primary lost; the standby promoted by an operator's step.
    time.sleep(args.settle)
    with log.lock:
        before = len(log.writes)
    log.mark("postgres: killing the primary's host (%d writes acknowledged so far)" % before)
    t_kill = float(action(args, "kill", "pg1").split()[0])
    time.sleep(args.promote_after)
    log.mark("postgres: promoting the standby")
    action(args, "promote-pg2")
    time.sleep(args.settle * 2)
    t_end = now()
    failed = failures(log, t_kill, t_end)
    outage = max((f[1] for f in failed), default=t_kill) - t_kill
    with log.lock:
        acknowledged = [w for t, w in log.writes if t < t_end]
    present = 0
    for i in range(0, len(acknowledged), 2000):
        part = acknowledged[i:i + 2000]
        present += int(psql(args, "SELECT count(*) FROM strategies WHERE id IN (%s)" % ",".join(map(str, part))))
    lost = len(acknowledged) - present
    results["postgres"] = {"failed": len(failed), "outage_s": round(outage, 2), "writes_acknowledged": len(acknowledged),
                           "writes_lost": lost}
    ok &= lost == 0

    # After every failover: fresh subscribers straight to each app host, to see that both
    # relays are subscribed again and events still reach both hosts.
    late = [Subscriber(args, user, app, stop) for app in apps for user in users]
    for s in late:
        s.start()
    time.sleep(3)
    late_start = now()
    time.sleep(args.settle)
    late_end = now()

    # The end: stop the load, wait for every run.
    stop.set()
    for t in threads:
        t.join(timeout=40)
    log.mark("load stopped; waiting for every run")
    with log.lock:
        run_ids = [r for _, r, _ in log.runs]
    statuses = wait_runs(args, run_ids, 240)
    lost_runs = [r for r in run_ids if statuses.get(r) not in TERMINAL]
    failed_runs = [r for r in run_ids if statuses.get(r) in ("failed", "cancelled")]
    results["jobs"] = {"runs": len(run_ids), "succeeded": sum(1 for r in run_ids if statuses.get(r) == "succeeded"),
                       "failed": len(failed_runs), "never_finished": len(lost_runs)}
    ok &= not lost_runs

    # 5. Real-time: before the first kill and after the last recovery, every event reached
    # both app hosts' subscribers, in seq order without gaps.
    def delivery(group, start, end):
        # An event counts when one of the user's subscribers got it in the window (less its
        # last second: the other may get it a moment later); every other subscriber of the
        # user must have got it too, at any time.
        by_user = {}
        for s in group:
            seqs = [seq for at, seq, _, _ in s.events if start <= at <= end]
            by_user.setdefault(s.user["username"], []).append({
                "events": len(seqs), "seqs": set(seqs), "all": set(seq for _, seq, _, _ in s.events),
                "counted": set(seq for at, seq, _, _ in s.events if start <= at <= end - 1),
                "gaps": sum(max(0, b - a - 1) for a, b in zip(seqs, seqs[1:])),
                "disorder": sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)})
        missing = gaps = events = 0
        for views in by_user.values():
            union = set().union(*(v["counted"] for v in views))
            # Events numbered after every subscriber of the user had one count.
            first = max(min(v["seqs"]) if v["seqs"] else 0 for v in views)
            for v in views:
                events += v["events"]
                gaps += v["gaps"] + v["disorder"]
                missing += len([q for q in union if q >= first and q not in v["all"]])
        return {"events": events, "missing_on_a_host": missing, "gaps_or_disorder": gaps}

    before_kills = delivery(subscribers, 0, steady_end)
    after_recovery = delivery(late, late_start, late_end)
    results["realtime"] = {"before_the_kills": before_kills, "after_the_failovers": after_recovery,
                           "subscribers": len(subscribers) + len(late),
                           "reconnected_through_lb": sum(1 for s in subscribers if any(t == args.lb for _, t in s.connects))}
    for window in (before_kills, after_recovery):
        ok &= window["events"] > 0 and window["missing_on_a_host"] == 0 and window["gaps_or_disorder"] == 0

    report["ok"] = bool(ok)
    report["requests"] = len(log.requests)
    report["marks"] = log.marks
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2, default=str)
    print()
    print("| scenario | result |")
    print("|---|---|")
    a = results["app"]
    print("| app host killed | %d failed requests: %d in flight while it died (%.0f ms), %d after; the balancer found it gone %s s after the kill"
          " and sent it %d requests while it was down (%d retried on the other host) |"
          % (a["failed"], a["in_flight"], a["kill_took_s"] * 1000, a["after"], a["detected_after_s"], a["requests_sent_to_the_dead_host"],
             a["of_them_answered_by_the_other"]))
    w = results["worker"]
    print("| worker host killed mid-job | %d jobs (%d running on the killed host): %d succeeded once, %d taken over, trade counts %s |"
          % (w["jobs"], w["running_on_killed_host"], w["succeeded"], w["taken_over"], w["trade_counts"]))
    r = results["redis"]
    print("| Redis primary killed | %d failed requests over %.1f s; signed out: %d; new primary %s |"
          % (r["failed"], r["outage_s"], len(r["signed_out"]), r["new_primary"]))
    g = results["postgres"]
    print("| PostgreSQL primary killed, standby promoted | %d failed requests over %.1f s; writes lost: %d of %d |"
          % (g["failed"], g["outage_s"], g["writes_lost"], g["writes_acknowledged"]))
    j = results["jobs"]
    print("| every run of the whole load | %d runs: %d succeeded, %d failed, %d never finished |"
          % (j["runs"], j["succeeded"], j["failed"], j["never_finished"]))
    t = results["realtime"]
    for label, window in (("before the kills", t["before_the_kills"]), ("after the failovers", t["after_the_failovers"])):
        print("| real-time across hosts, %s | %d events on both hosts' subscribers; missing on a host: %d; gaps or disorder: %d |"
              % (label, window["events"], window["missing_on_a_host"], window["gaps_or_disorder"]))
    print()
    print("cluster: %s (%d requests; report %s)" % ("every goal met" if ok else "GOALS MISSED", len(log.requests), args.out))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
