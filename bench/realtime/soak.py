#!/usr/bin/env python3
"""Real-time soak: SUBSCRIBERS EventSource subscribers (in PROCESSES processes) on one nchan
channel through nginx, a publisher putting RATE envelopes a second for SECONDS on the Redis
bus (PUBLISH tm:realtime:events "{channel}\n{envelope}", as the app's publisher does), from
where `tm relay` POSTs them to nginx. Each subscriber checks that it gets every message
once, in order (seq 1..N without gap or repeat); delivery latency is publish time to
receipt (Redis, relay, nginx), in a 0.1 ms histogram. Prints one JSON summary.

    soak.py BASE_URL SIGNED_PATH REDIS_PORT CHANNEL [--subscribers 1000] [--processes 2]
            [--rate 100] [--seconds 120]      (the Redis password in REDISCLI_AUTH)
"""
import argparse, asyncio, json, multiprocessing, os, socket, sys, time

BUCKET = 0.0001  # 0.1 ms
BUCKETS = 100000  # up to 10 s
BUS = b"tm:realtime:events"

class RedisPublisher:
    """PUBLISH over one plain RESP connection (no client library needed)."""
    def __init__(self, port, password):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        if password:
            self.command(b"AUTH", password.encode())
    def command(self, *parts):
        self.sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        line = self.file.readline()
        if not line or line[:1] == b"-":
            raise OSError("redis: %r" % line)
        return line
    def publish(self, message):
        line = self.command(b"PUBLISH", BUS, message)
        return int(line[1:])  # the relays that got it

async def subscriber(host, port, path, total, histogram, results, ready):
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    writer.write(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n" % (path, host, port)).encode())
    await writer.drain()
    status = (await reader.readline()).split()[1]
    chunked = False
    while True:
        header = (await reader.readline()).lower()
        if header in (b"\r\n", b""):
            break
        chunked = chunked or (header.startswith(b"transfer-encoding:") and b"chunked" in header)
    ready.append(1)
    expected, received, errors, buffer = 1, 0, 0, b""
    if status != b"200":
        results.append({"received": 0, "errors": 1, "status": status.decode()})
        return
    try:
        while expected <= total:
            if chunked:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    break
                buffer += await reader.readexactly(size)
                await reader.readexactly(2)
            else:
                data = await reader.read(65536)
                if not data:
                    break
                buffer += data
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: "):
                        event = json.loads(line[6:])
                        now = time.time()
                        if event["seq"] != expected:
                            errors += 1
                        expected = event["seq"] + 1
                        received += 1
                        histogram[min(BUCKETS - 1, int((now - event["data"]["sent"]) / BUCKET))] += 1
    except (asyncio.IncompleteReadError, ConnectionError, ValueError) as error:
        errors += 1
    writer.close()
    results.append({"received": received, "errors": errors})

def subscriber_process(args, count, queue, go):
    async def main():
        histogram = [0] * BUCKETS
        results, ready = [], []
        base = args.base.split("//", 1)[1]
        host, port = base.split(":")
        total = args.rate * args.seconds
        tasks = []
        for _ in range(count):
            tasks.append(asyncio.ensure_future(subscriber(host, int(port), args.path, total, histogram, results, ready)))
            if len(tasks) % 50 == 0:
                await asyncio.sleep(0.05)
        while len(ready) < count:
            await asyncio.sleep(0.05)
        queue.put(("ready", count))
        await asyncio.wait(tasks, timeout=args.seconds + 60)
        queue.put(("done", results, histogram))
    asyncio.run(main())

def percentile(histogram, fraction):
    total = sum(histogram)
    goal, seen = total * fraction, 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= goal:
            return (index + 0.5) * BUCKET * 1000
    return None

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("path")
    parser.add_argument("redis_port", type=int)
    parser.add_argument("channel")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    queue = multiprocessing.Queue()
    shares = [args.subscribers // args.processes + (1 if i < args.subscribers % args.processes else 0) for i in range(args.processes)]
    processes = [multiprocessing.Process(target=subscriber_process, args=(args, share, queue, None)) for share in shares]
    for process in processes:
        process.start()
    ready = 0
    while ready < args.subscribers:
        kind, count = queue.get(timeout=120)[:2]
        ready += count
    print("subscribers connected: %d" % ready, file=sys.stderr, flush=True)

    password = os.environ.get("REDISCLI_AUTH", "")
    publisher = RedisPublisher(args.redis_port, password)
    total = args.rate * args.seconds
    start = time.time()
    publish_failures, publish_seconds = 0, []
    for seq in range(1, total + 1):
        due = start + (seq - 1) / args.rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        body = json.dumps({"type": "bench.tick", "channel": args.channel, "seq": seq,
                           "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sent)), "data": {"sent": sent}})
        try:
            if publisher.publish((args.channel + "\n" + body).encode()) != 1:
                publish_failures += 1  # no relay (or two) got it
        except OSError:
            publish_failures += 1
            publisher = RedisPublisher(args.redis_port, password)
        publish_seconds.append(time.time() - sent)
        if seq % (args.rate * 10) == 0:
            print("published %d" % seq, file=sys.stderr, flush=True)
    elapsed = time.time() - start

    results, histogram = [], [0] * 100000
    for _ in processes:
        message = queue.get(timeout=args.seconds + 120)
        results += message[1]
        histogram = [a + b for a, b in zip(histogram, message[2])]
    for process in processes:
        process.join(10)
    complete = sum(1 for r in results if r["received"] == total and r["errors"] == 0)
    publish_seconds.sort()
    print(json.dumps({
        "subscribers": args.subscribers, "messages": total, "rate": args.rate, "publish_elapsed_s": round(elapsed, 2),
        "publish_failures": publish_failures,
        "publish_p50_ms": round(publish_seconds[len(publish_seconds) // 2] * 1000, 2),
        "publish_p99_ms": round(publish_seconds[int(len(publish_seconds) * 0.99)] * 1000, 2),
        "subscribers_complete_in_order": complete,
        "subscribers_reporting": len(results),
        "deliveries": sum(r["received"] for r in results), "expected_deliveries": total * args.subscribers,
        "order_or_gap_errors": sum(r["errors"] for r in results),
        "latency_p50_ms": round(percentile(histogram, 0.5), 2), "latency_p99_ms": round(percentile(histogram, 0.99), 2),
        "latency_max_bucket_ms": round(max((i for i, c in enumerate(histogram) if c), default=0) * BUCKET * 1000, 1),
    }))

if __name__ == "__main__":
    main()
