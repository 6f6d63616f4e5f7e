#!/usr/bin/env python3
"""A fake of the TradeMaster Flask service for tests, written from its contract
(shared/TRADEMASTER-API.md), not from our client:

- routes under /api/TradeMaster/, raw JSON bodies;
- errors as HTTP 200 with error_code 1 and an `info` (only upload_csv answers HTTP 400
  {"error": ...}); successful *_status replies carry no error_code;
- jobs are detached: there is no cancel; a session keeps running whatever the client does;
- progress only as `Train Episode: [k/N]` / `Valid Episode: [k/N]` lines in `info` (no
  percentage); completion as a flag; a crash never sets its flag and leaves a `Traceback`;
- the service's log cleaning: a line containing "m " is cut to the text after the last "m "
  (so colour codes like ESC[32m vanish, and so may the start of an ordinary line);
- test results only as a text table with percentages inside `info`.

Market dynamics, as the contract's "as the real service behaves" section says:
- start_market_dynamics_labeling needs min_length_limit, filter_strength,
  max_length_expectation, key_indicator, timestamp, tic, merging_metric, merging_threshold and
  merging_dynamic_constraint (their defaults per dataset come from evaluation_getParameters);
  without one it answers error_code 1 with the real `int() argument must be ... not 'NoneType'`;
- MDM_status's market_dynamic_labeling_analysis is a base64 CSV (one row per market dynamic),
  the visualisation a PNG;
- run_dynamics_test on a session without a trained agent (a labelling alone) starts a script
  that exits at once with argparse's `unrecognized arguments`, without a Traceback, and
  dynamics_testing_status never ends; in a trained session it ends with a radar plot.
- Sessions outlive the service: POST /_fake/outage {"seconds": s} closes the listening socket
  for s seconds (connections are refused) while runs go on, as the real service's detached
  processes and session file do across a restart.

Scenarios are chosen by the dataset in the request (the datasets getParameters lists):
  algorithmic_trading:BTC    a normal run (EPISODES episodes of EPISODE_S seconds)
  algorithmic_trading:LONG   a normal run of LONG_EPISODES episodes (spans an outage)
  algorithmic_trading:CRASH  a Traceback after 2 episodes; train_end never comes
  algorithmic_trading:STALL  the log stops growing after 1 episode; train_end never comes
  algorithmic_trading:SLOW   a long run (for stopping it)
Training logs print `Train Episode: [k/N]` when an episode starts, its table when it ends, then
`Valid Episode: [k/N]` and the validation's table, as the real trainer does.
Control (not part of the contract, for tests only): GET /_fake/calls (counts per route),
GET /_fake/uploads (file names and row counts), POST /_fake/reset, POST /_fake/outage.
"""
import base64
import json
import struct
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EPISODES = 4
EPISODE_S = 0.25
TEST_S = 0.3
MDM_S = 0.3
LONG_EPISODES = 12
LONG_EPISODE_S = 0.5

TASKS = ["algorithmic_trading", "portfolio_management", "order_execution", "high_frequency_trading",
         "market_dynamics_modeling"]
DATASETS = ["algorithmic_trading:BTC", "algorithmic_trading:FX", "algorithmic_trading:CRASH",
            "algorithmic_trading:STALL", "algorithmic_trading:SLOW", "algorithmic_trading:LONG", "portfolio_management:dj30",
            "order_execution:BTC", "order_execution:PD_BTC"]
AGENTS = ["algorithmic_trading:deepscalper", "order_execution:eteo", "order_execution:pd",
          "portfolio_management:eiie", "portfolio_management:deeptrader",
          "portfolio_management:investor_imitator", "portfolio_management:sarl"]

# evaluation_getParameters, as the real service answers it (strings, but the constraint).
MDM_DATASETS = ["algorithmic_trading:BTC", "algorithmic_trading:FX", "portfolio_management:dj30"]
MDM_DEFAULTS = {
    "min_length_limit": "24", "filter_strength": "1", "max_length_expectation": "144", "key_indicator": "adjcp",
    "timestamp": "date", "tic": "data", "labeling_method": "quantile", "merging_metric": "DTW_distance",
    "merging_threshold": "0.03", "merging_dynamic_constraint": 1,
}
MDM_FIELDS = ["min_length_limit", "filter_strength", "max_length_expectation", "key_indicator", "timestamp", "tic",
              "merging_metric", "merging_threshold", "merging_dynamic_constraint"]
ANALYSIS_COLUMNS = ["average_k_list_mean", "average_k_list_std", "average_length_list_mean",
                    "average_length_list_std"]
USAGE = ["usage: run.py [-h] [--data_path DATA_PATH] [--method METHOD] [--dynamic_number DYNAMIC_NUMBER]",
         "              [--config CONFIG] [--verbose VERBOSE]",
         "run.py: error: unrecognized arguments: --task_name dynamics_test --test_dynamic %s"]

LOCK = threading.Lock()
SESSIONS = {}
CALLS = {}
UPLOADS = []


def png(width=4, height=3, rgb=(200, 30, 30)):
    """A tiny valid PNG."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def b64png(rgb):
    return base64.b64encode(png(rgb=rgb)).decode()


def clean(lines):
    """The service's log cleaning, as the contract describes it."""
    out = []
    for line in lines:
        if "m " in line:
            line = line[line.rfind("m ") + 2:]
        out.append(line)
    return out


def stamp(text):
    # Coloured logger prefix, as mmcv's logger writes it; the cleaning removes it.
    return "\x1b[32m2026-11-28 10:00:00\x1b[0m \x1b[1minfo\x1b[0m " + text


def train_log(session, now):
    """The raw log of a training session at time `now`, and whether it ended."""
    scenario = session["scenario"]
    elapsed = now - session["started"]
    total = {"SLOW": 1000, "LONG": LONG_EPISODES}.get(scenario, EPISODES)
    per = {"SLOW": 1.0, "LONG": LONG_EPISODE_S}.get(scenario, EPISODE_S)
    done = int(elapsed / per)
    if scenario == "STALL":
        done = min(done, 1)
    if scenario == "CRASH":
        done = min(done, 2)
    done = min(done, total)
    lines = ["Loading data from data/algorithmic_trading/BTC/train.csv",
             stamp("Building agent " + session["agent"])]
    for k in range(1, done + 1):
        lines.append(stamp("Train Episode: [%d/%d]" % (k, total)))
        # An ordinary line that the cleaning mangles: only "0.0312" survives.
        lines.append("Train Episode: [%d/%d] loss term 0.0312" % (k, total))
        lines.append("| Total Return | Sharp Ratio | Volatility | Max Drawdown |")
        lines.append("| %f%% | %f | %f%% | %f%% |" % (1.5 * k, 0.1 * k, 2.0, 10.0 - k))
        lines.append(stamp("Valid Episode: [%d/%d]" % (k, total)))
        lines.append("| Total Return |")
        lines.append("| %f%% |" % (0.5 * k))
    # The episode in progress: its marker is printed when it starts, its table when it ends.
    if done < total and scenario not in ("CRASH", "STALL"):
        lines.append(stamp("Train Episode: [%d/%d]" % (done + 1, total)))
    crashed = scenario == "CRASH" and elapsed >= 2 * per + 0.05
    if crashed:
        lines += ["Traceback (most recent call last):",
                  '  File "tools/algorithmic_trading/train.py", line 98, in train',
                  "    trainer.train_and_valid()",
                  "RuntimeError: expected scalar type Float but found Double"]
    ended = done >= total and scenario not in ("CRASH", "STALL")
    return lines, ended


def analysis_csv(styles):
    """The labelling's analysis as the real service writes it: pandas' to_csv, index first."""
    rows = ["," + ",".join(ANALYSIS_COLUMNS)]
    for k in range(styles):
        rows.append("%d,%r,%r,%r,%r" % (k, -0.01 + 0.01 * k, 0.005 + 0.001 * k, 40.0 - k, 16.5))
    return base64.b64encode(("\n".join(rows) + "\n").encode()).decode()


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/3.0 Python/3"
    protocol_version = "HTTP/1.1"

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, info, **extra):
        payload = {"error_code": 1, "info": info}
        payload.update(extra)
        self._send(200, payload)

    def _count(self, name):
        with LOCK:
            CALLS[name] = CALLS.get(name, 0) + 1

    def do_GET(self):
        started = time.monotonic()
        path = self.path.split("?")[0]
        self._count(path)
        if path == "/api/TradeMaster/healthcheck":
            self._send(200, {"data": {}, "error_code": 0, "info": "health check",
                             "time_consuming": round((time.monotonic() - started) * 1000, 3)})
        elif path == "/api/TradeMaster/getParameters":
            self._send(200, {"task_name": TASKS, "dataset_name": DATASETS, "optimizer_name": ["adam"],
                             "loss_name": ["mse"], "agent_name": AGENTS,
                             "start_date": {d: "2015-10-01" for d in DATASETS},
                             "end_date": {d: "2021-07-06" for d in DATASETS}})
        elif path == "/_fake/calls":
            with LOCK:
                self._send(200, dict(CALLS))
        elif path == "/_fake/uploads":
            with LOCK:
                self._send(200, list(UPLOADS))
        else:
            self._send(404, {"message": "Not Found"})

    def do_POST(self):
        path = self.path.split("?")[0]
        self._count(path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path == "/_fake/reset":
            with LOCK:
                CALLS.clear()
                UPLOADS.clear()
            return self._send(200, {})
        if path == "/_fake/outage":
            seconds = float(json.loads(raw or b"{}").get("seconds", 1))
            self._send(200, {"outage_seconds": seconds})
            threading.Thread(target=outage, args=(seconds,), daemon=True).start()
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            # Flask's request.get_json() failure inside the service's try/except.
            return self._error("request body is not JSON")
        name = path[len("/api/TradeMaster/"):] if path.startswith("/api/TradeMaster/") else None
        route = getattr(self, "route_" + name, None) if name else None
        if route is None:
            return self._send(404, {"message": "Not Found"})
        route(body)

    def _session(self, body):
        with LOCK:
            return SESSIONS.get(body.get("session_id") or "")

    def route_train(self, body):
        for field in ("task_name", "dataset_name", "optimizer_name", "loss_name", "agent_name"):
            if not isinstance(body.get(field), str):
                return self._error("train failed: missing %s" % field, session_id="")
        if body["dataset_name"] not in DATASETS or not body["dataset_name"].startswith(body["task_name"] + ":"):
            return self._error("train failed: unknown dataset %s" % body["dataset_name"], session_id="")
        if body["agent_name"] not in AGENTS or not body["agent_name"].startswith(body["task_name"] + ":"):
            return self._error("train failed: unknown agent %s" % body["agent_name"], session_id="")
        session_id = str(uuid.uuid4())
        with LOCK:
            SESSIONS[session_id] = {"scenario": body["dataset_name"].split(":")[1], "agent": body["agent_name"],
                                    "started": time.monotonic(), "test_started": None, "mdm": None,
                                    "trained": True}
        self._send(200, {"error_code": 0, "info": "request success, start training", "session_id": session_id})

    def route_train_status(self, body):
        session = self._session(body)
        if session is None:
            return self._error("session_id not found")
        lines, ended = train_log(session, time.monotonic())
        self._send(200, {"info": "\n".join(clean(lines)[-2000:]), "train_end": ended,
                         "result_plot": b64png((30, 120, 200)) if ended else None})

    def route_test(self, body):
        session = self._session(body)
        if session is None:
            return self._error("session_id not found", session_id="")
        with LOCK:
            session["test_started"] = time.monotonic()
        self._send(200, {"error_code": 0, "info": "request success, start test", "session_id": body["session_id"]})

    def route_test_status(self, body):
        session = self._session(body)
        if session is None:
            return self._error("session_id not found")
        if session["test_started"] is None:
            return self._send(200, {"info": "", "test_end": False, "result_plot": None})
        ended = time.monotonic() - session["test_started"] >= TEST_S
        lines = [stamp("Test Best Episode"), "Loading checkpoint work_dir/best.pth"]
        if ended:
            lines += ["+--------------+-------------+------------+--------------+",
                      "| Total Return | Sharp Ratio | Volatility | Max Drawdown |",
                      "+--------------+-------------+------------+--------------+",
                      "| 17.242411% | 0.462133 | 2.009390% | 46.642089% |",
                      "+--------------+-------------+------------+--------------+"]
        self._send(200, {"info": "\n".join(clean(lines)), "test_end": ended,
                         "result_plot": b64png((20, 160, 60)) if ended else None})

    def route_evaluation_getParameters(self, body):
        # The real one answers the plain object (no error_code), whatever the session.
        answer = {"dataset_name": list(MDM_DATASETS),
                  "start_date": {d: "2015-10-01" for d in MDM_DATASETS},
                  "end_date": {d: "2021-07-05" for d in MDM_DATASETS},
                  "number_of_market_style": ["5"], "test_dynamic_number": ["0", "1", "2", "3"]}
        for key, value in MDM_DEFAULTS.items():
            answer[key] = {d: ("tic" if key == "tic" and d.startswith("portfolio") else value) for d in MDM_DATASETS}
        self._send(200, answer)

    def route_start_market_dynamics_labeling(self, body):
        session_id = body.get("session_id") or str(uuid.uuid4())
        with LOCK:
            session = SESSIONS.setdefault(session_id, {"scenario": "MDM", "agent": "", "started": time.monotonic(),
                                                       "test_started": None, "trained": False})
        try:
            # The real service converts these before anything else; a missing one is int(None).
            int(body.get("number_of_market_style"))
            int(body.get("min_length_limit"))
            float(body.get("filter_strength"))
            int(body.get("max_length_expectation"))
            float(body.get("merging_threshold"))
            int(body.get("merging_dynamic_constraint"))
            for field in ("key_indicator", "timestamp", "tic", "merging_metric", "labeling_method"):
                if not isinstance(body.get(field), str):
                    raise TypeError("%s must be a string" % field)
            dataset = body.get("dataset_name") or ""
            if dataset not in MDM_DATASETS:
                raise FileNotFoundError("[Errno 2] No such file or directory: 'data/%s/data.csv'"
                                        % dataset.replace(":", "/"))
        except (TypeError, ValueError, FileNotFoundError) as e:
            return self._error("request data error, %s<class '%s'>backend_service.py707" % (e, type(e).__name__),
                               session_id=session_id)
        with LOCK:
            session["mdm"] = time.monotonic()
            session["styles"] = int(body["number_of_market_style"])
            session["saved"] = False
            session["dynamics"] = {}
            session["mdm_body"] = dict(body)
        self._send(200, {"error_code": 0, "info": "request success, start market dynamics modeling\n",
                         "session_id": session_id})

    def route_MDM_status(self, body):
        session = self._session(body)
        if session is None or session.get("mdm") is None:
            return self._error("request data error, 'MDM_cfg_path'<class 'KeyError'>905", session_id="")
        ended = time.monotonic() - session["mdm"] >= MDM_S
        lines = [stamp("labeling market dynamics"), "styles %d" % session["styles"]]
        if ended:
            lines += ["labeling done", "market dynamics modeling analysis done"]
        self._send(200, {"info": "\n".join(clean(lines)), "MDM_end": ended,
                         "market_dynamic_labeling_visulization": b64png((250, 200, 0)) if ended else None,
                         "market_dynamic_labeling_analysis": analysis_csv(session["styles"]) if ended else None,
                         "session_id": body["session_id"]})

    def route_save_market_dynamics_labeling(self, body):
        session = self._session(body)
        if session is None or session.get("mdm") is None:
            return self._error("request data error, 'MDM_datafile_path'", session_id=body.get("session_id"))
        with LOCK:
            session["saved"] = True
        self._send(200, {"error_code": 0, "info": "request success, save market dynamics",
                         "session_id": body["session_id"]})

    def route_run_dynamics_test(self, body):
        # The real service checks nothing: it starts the session's script with the label.
        session = self._session(body)
        if session is None:
            return self._error("request data error, local variable 'task_name' referenced before assignment",
                               session_id="")
        label = str(body.get("dynamics_test_label"))
        with LOCK:
            session.setdefault("dynamics", {})[label] = time.monotonic()
        self._send(200, {"error_code": 0, "info": "request success, start test market %s\n\n" % label,
                         "session_id": body["session_id"]})

    def route_dynamics_testing_status(self, body):
        session = self._session(body)
        label = str(body.get("dynamics_test_label"))
        if session is None:
            return self._error("request data error, '%s'<class 'KeyError'>832" % body.get("session_id"),
                               session_id=body.get("session_id", ""))
        started = (session.get("dynamics") or {}).get(label)
        lines, ended = [], False
        if started is not None:
            elapsed = time.monotonic() - started
            lines = ["Gym has been unmaintained since 2022 and does not support NumPy 2.0"]
            if not session.get("trained"):
                # run.py of a labelling-only session rejects the agent's arguments and exits.
                if elapsed >= 0.1:
                    lines += USAGE[:2] + [USAGE[2] % label]
            elif not session.get("saved"):
                if elapsed >= 0.1:
                    lines += ["Traceback (most recent call last):", '  File "tools/algorithmic_trading/train.py"',
                              "AttributeError: 'ConfigDict' object has no attribute 'test_dynamic_path'"]
            elif elapsed >= TEST_S:
                lines += ["Test Best Episode", "dynamics test end"]
                ended = True
        self._send(200, {"error_code": 0, "info": "\n".join(clean(lines)), "dynamics_testing_end": ended,
                         "radar_plot": b64png((0, 90, 250)) if ended else None, "session_id": body["session_id"]})

    def route_upload_csv(self, body):
        name, text = body.get("file_name"), body.get("file")
        if not isinstance(name, str) or not name.endswith(".csv"):
            return self._send(400, {"error": "file_name must end in .csv"})
        if not isinstance(text, str):
            return self._send(400, {"error": "file must be a JSON string"})
        try:
            rows = json.loads(text)
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ValueError
        except ValueError:
            return self._send(400, {"error": "file is not a JSON array of rows"})
        session_id = body.get("session_id") or str(uuid.uuid4())
        with LOCK:
            UPLOADS.append({"file_name": name, "rows": len(rows), "columns": sorted(rows[0].keys()) if rows else [],
                            "session_id": session_id})
        self._send(200, {"error_code": 0, "info": "upload success", "session_id": session_id,
                         "upload_finished": True})

    def log_message(self, *args):
        pass


SERVER = {}


def listen(port, retry=False):
    """Binds the port (after an outage, retrying while the old socket lets go) and serves it
    in a thread."""
    while True:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError:
            if not retry:
                raise
            time.sleep(0.05)
    SERVER["current"] = server
    threading.Thread(target=server.serve_forever, daemon=True).start()


def outage(seconds):
    """Stops listening for `seconds` (connections refused), then listens again; the sessions
    and their runs go on meanwhile."""
    server = SERVER["current"]
    server.shutdown()
    server.server_close()
    time.sleep(seconds)
    listen(server.server_address[1], retry=True)


if __name__ == "__main__":
    listen(int(sys.argv[1]))
    while True:
        time.sleep(3600)
