#!/usr/bin/env python3
"""Real-time test client: subscribes through nginx (nchan) with a real WebSocket client
(`websockets`, subprotocol ws+meta.nchan, so each frame carries nchan's message id) or a
small EventSource client over a plain socket (text/event-stream parsed by the spec's rules),
and prints one JSON line per event: {"id": nchan message id, "event": the envelope}.

    rt_client.py ws|sse BASE_URL URL_FILE [--until TYPE:STATUS] [--count N] [--last-id ID]
                 [--timeout S] [--reconnect]

URL_FILE holds the signed path (re-read on every reconnect, so a test can hand over a fresh
ticket). Prints "connected" (to stderr) when the subscription is open, and
{"refused": status} when the handshake is refused. Stops after --count events, after an
event of type TYPE whose data.status is STATUS, or after --timeout seconds.
"""
import argparse, asyncio, json, socket, sys, time, urllib.parse

def emit(obj):
    print(json.dumps(obj), flush=True)

def done(args, event, received):
    if args.count and received >= args.count:
        return True
    if args.until:
        kind, status = args.until.split(":")
        return event.get("type") == kind and event.get("data", {}).get("status") == status
    return False

def url_with_last_id(base, path, last_id):
    url = base + path
    if last_id:
        url += "&last_event_id=" + urllib.parse.quote(last_id, safe="")
    return url

async def run_ws(args, deadline):
    import websockets
    received, last_id = 0, args.last_id
    while time.time() < deadline:
        path = open(args.url_file).read().strip()
        url = url_with_last_id(args.base.replace("http://", "ws://"), path, last_id)
        try:
            async with websockets.connect(url, subprotocols=["ws+meta.nchan"], open_timeout=5,
                                          ping_interval=None, max_size=1 << 20) as ws:
                print("connected", file=sys.stderr, flush=True)
                while True:
                    left = deadline - time.time()
                    if left <= 0:
                        return
                    frame = await asyncio.wait_for(ws.recv(), left)
                    head, _, body = frame.partition("\n\n")
                    meta = dict(line.split(": ", 1) for line in head.split("\n") if ": " in line)
                    event = json.loads(body)
                    last_id = meta.get("id")
                    received += 1
                    emit({"id": last_id, "event": event})
                    if done(args, event, received):
                        return
        except websockets.exceptions.InvalidStatus as error:
            emit({"refused": error.response.status_code})
            if not args.reconnect:
                return
        except (OSError, websockets.exceptions.ConnectionClosed, asyncio.TimeoutError) as error:
            print("disconnected: %r" % error, file=sys.stderr, flush=True)
            if not args.reconnect:
                return
        await asyncio.sleep(0.3)

def run_sse(args, deadline):
    received, last_id = 0, args.last_id
    base = urllib.parse.urlsplit(args.base)
    while time.time() < deadline:
        path = open(args.url_file).read().strip()
        try:
            sock = socket.create_connection((base.hostname, base.port), timeout=5)
            headers = "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n" % (path, base.netloc)
            if last_id:
                headers += "Last-Event-ID: %s\r\n" % last_id
            sock.sendall((headers + "\r\n").encode())
            stream = sock.makefile("rb")
            status = int(stream.readline().split()[1])
            chunked = False
            while True:
                header = stream.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                if header.lower().startswith(b"transfer-encoding:") and b"chunked" in header.lower():
                    chunked = True
            if status != 200:
                emit({"refused": status})
                sock.close()
                if not args.reconnect:
                    return
                time.sleep(0.3)
                continue
            print("connected", file=sys.stderr, flush=True)
            buffer, data, event_id = b"", [], None
            while True:
                sock.settimeout(max(0.01, deadline - time.time()))
                if chunked:
                    size_line = stream.readline()
                    if not size_line:
                        raise OSError("closed")
                    size = int(size_line.strip() or b"0", 16)
                    if size == 0:
                        raise OSError("end of stream")
                    buffer += stream.read(size)
                    stream.readline()
                else:
                    line = stream.readline()
                    if not line:
                        raise OSError("closed")
                    buffer += line
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    line = line.rstrip(b"\r").decode()
                    if line == "":
                        if data:
                            event = json.loads("\n".join(data))
                            if event_id is not None:
                                last_id = event_id
                            received += 1
                            emit({"id": last_id, "event": event})
                            if done(args, event, received):
                                sock.close()
                                return
                        data, event_id = [], None
                    elif line.startswith(":"):
                        continue
                    else:
                        field, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if field == "data":
                            data.append(value)
                        elif field == "id":
                            event_id = value
        except (OSError, ValueError) as error:
            print("disconnected: %r" % error, file=sys.stderr, flush=True)
            if not args.reconnect:
                return
            time.sleep(0.3)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["ws", "sse"])
    parser.add_argument("base")
    parser.add_argument("url_file")
    parser.add_argument("--until")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--last-id")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--reconnect", action="store_true")
    args = parser.parse_args()
    deadline = time.time() + args.timeout
    if args.mode == "ws":
        asyncio.run(run_ws(args, deadline))
    else:
        run_sse(args, deadline)

if __name__ == "__main__":
    main()
