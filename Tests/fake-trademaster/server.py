#!/usr/bin/env python3
"""A fake of the TradeMaster Flask service for tests, following its contract
(shared/TRADEMASTER-API.md): routes under /api/TradeMaster/, errors as HTTP 200 with
error_code 1. Only what our tests use is implemented; anything else is a 404 like Flask's."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/3.0 Python/3"

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        started = time.monotonic()
        if self.path == "/api/TradeMaster/healthcheck":
            self._send(200, {"data": {}, "error_code": 0, "info": "health check",
                             "time_consuming": round((time.monotonic() - started) * 1000, 3)})
        else:
            self._send(404, {"message": "Not Found"})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1])
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
