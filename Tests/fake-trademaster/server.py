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

Scenarios are chosen by the dataset in the request (the datasets getParameters lists):
  algorithmic_trading:BTC    a normal run (EPISODES episodes of EPISODE_S seconds)
  algorithmic_trading:CRASH  a Traceback after 2 episodes; train_end never comes
  algorithmic_trading:STALL  the log stops growing after 1 episode; train_end never comes
  algorithmic_trading:SLOW   a long run (for stopping it)
Control (not part of the contract, for tests only): GET /_fake/calls (counts per route),
GET /_fake/uploads (file names and row counts), POST /_fake/reset.
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

TASKS = ["algorithmic_trading", "portfolio_management", "order_execution", "high_frequency_trading",
         "market_dynamics_modeling"]
DATASETS = ["algorithmic_trading:BTC", "algorithmic_trading:FX", "algorithmic_trading:CRASH",
            "algorithmic_trading:STALL", "algorithmic_trading:SLOW", "portfolio_management:dj30",
            "order_execution:BTC", "order_execution:PD_BTC"]
AGENTS = ["algorithmic_trading:deepscalper", "order_execution:eteo", "order_execution:pd",
          "portfolio_management:eiie", "portfolio_management:deeptrader",
          "portfolio_management:investor_imitator", "portfolio_management:sarl"]

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
    total = 1000 if scenario == "SLOW" else EPISODES
    per = 1.0 if scenario == "SLOW" else EPISODE_S
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
    crashed = scenario == "CRASH" and elapsed >= 2 * per + 0.05
    if crashed:
        lines += ["Traceback (most recent call last):",
                  '  File "tools/algorithmic_trading/train.py", line 98, in train',
                  "    trainer.train_and_valid()",
                  "RuntimeError: expected scalar type Float but found Double"]
    ended = done >= total and scenario not in ("CRASH", "STALL")
    return lines, ended


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
                                    "started": time.monotonic(), "test_started": None, "mdm": None}
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

    def route_start_market_dynamics_labeling(self, body):
        for field in ("dataset_name", "startDate", "endDate", "number_of_market_style", "labeling_method"):
            if field not in body:
                return self._error("missing %s" % field, session_id="")
        if body["labeling_method"] not in ("quantile", "slope"):
            return self._error("unknown labeling_method %s" % body["labeling_method"], session_id="")
        session_id = body.get("session_id") or str(uuid.uuid4())
        with LOCK:
            session = SESSIONS.setdefault(session_id, {"scenario": "MDM", "agent": "", "started": time.monotonic(),
                                                       "test_started": None})
            session["mdm"] = time.monotonic()
            session["styles"] = int(body["number_of_market_style"])
            session["saved"] = False
            session["dynamics"] = {}
        self._send(200, {"error_code": 0, "info": "request success, start market dynamics labeling",
                         "session_id": session_id})

    def route_MDM_status(self, body):
        session = self._session(body)
        if session is None or session.get("mdm") is None:
            return self._error("session_id not found", session_id="")
        ended = time.monotonic() - session["mdm"] >= MDM_S
        info = "\n".join(clean([stamp("labeling market dynamics"), "styles %d" % session["styles"]]
                               + (["labeling done"] if ended else [])))
        self._send(200, {"info": info, "MDM_end": ended,
                         "market_dynamic_labeling_visulization": b64png((250, 200, 0)) if ended else "",
                         "market_dynamic_labeling_analysis": b64png((120, 0, 120)) if ended else "",
                         "session_id": body["session_id"]})

    def route_save_market_dynamics_labeling(self, body):
        session = self._session(body)
        if session is None or session.get("mdm") is None:
            return self._error("session_id not found", session_id="")
        with LOCK:
            session["saved"] = True
        self._send(200, {"error_code": 0, "info": "labeled data saved", "session_id": body["session_id"]})

    def route_run_dynamics_test(self, body):
        session = self._session(body)
        if session is None or session.get("mdm") is None:
            return self._error("session_id not found", session_id="")
        if not session.get("saved"):
            return self._error("please save the market dynamics labeling first", session_id=body["session_id"])
        label = body.get("dynamics_test_label")
        if str(label) not in [str(i) for i in range(session["styles"])]:
            return self._error("dynamics_test_label must be one of 0..%d" % (session["styles"] - 1),
                               session_id=body["session_id"])
        with LOCK:
            session["dynamics"][str(label)] = time.monotonic()
        self._send(200, {"error_code": 0, "info": "request success, start dynamics test",
                         "session_id": body["session_id"]})

    def route_dynamics_testing_status(self, body):
        session = self._session(body)
        label = str(body.get("dynamics_test_label"))
        if session is None or label not in (session.get("dynamics") or {}):
            return self._error("no dynamics test for this session and label", session_id=body.get("session_id", ""))
        ended = time.monotonic() - session["dynamics"][label] >= TEST_S
        self._send(200, {"error_code": 0, "info": "\n".join(clean([stamp("dynamics test label " + label)])),
                         "dynamics_testing_end": ended, "radar_plot": b64png((0, 90, 250)) if ended else "",
                         "session_id": body["session_id"]})

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


if __name__ == "__main__":
    port = int(sys.argv[1])
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
