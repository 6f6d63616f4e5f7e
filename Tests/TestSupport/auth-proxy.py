#!/usr/bin/env python3
"""A proxy for browser tests: Chromium cannot send an Authorization header from its command
line, so it asks this proxy, which adds one and forwards the request to nginx, and answers
with nginx's status, headers (Content-Security-Policy included) and body unchanged, so the
page renders exactly as served.

    auth-proxy.py PORT UPSTREAM_BASE_URL AUTHORIZATION     (prints "ready" when listening)
"""
import http.server, sys, urllib.error, urllib.request

PORT, UPSTREAM, AUTHORIZATION = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

OPENER = urllib.request.build_opener(NoRedirect)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        request = urllib.request.Request(UPSTREAM + self.path, headers={"Authorization": AUTHORIZATION})
        try:
            response = OPENER.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        self.send_response(response.status if hasattr(response, "status") else response.code)
        for name, value in response.headers.items():
            if name.lower() not in HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("ready", flush=True)
server.serve_forever()
