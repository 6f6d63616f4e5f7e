#!/usr/bin/env python3
"""Opens URL in headless Chromium (DevTools protocol over `websockets`), waits until the
JavaScript expression WAIT is true (or TIMEOUT seconds), then saves a PNG screenshot.

    screenshot.py URL WAIT OUT.png [--size 1000x760] [--timeout 30] [--profile DIR]

Prints the value of REPORT (a JavaScript expression, default document.body.innerText) on
stdout, and exits 1 when WAIT never became true.
"""
import argparse, asyncio, base64, json, os, socket, subprocess, sys, time, urllib.request

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

async def drive(args, port):
    import websockets
    deadline = time.time() + 15
    while True:
        try:
            request = urllib.request.Request("http://127.0.0.1:%d/json/new?about:blank" % port, method="PUT")
            target = json.load(urllib.request.urlopen(request, timeout=2))
            break
        except OSError:
            if time.time() > deadline:
                raise
            await asyncio.sleep(0.2)
    async with websockets.connect(target["webSocketDebuggerUrl"], max_size=64 << 20) as ws:
        counter = 0
        async def call(method, **params):
            nonlocal counter
            counter += 1
            mine = counter
            await ws.send(json.dumps({"id": mine, "method": method, "params": params}))
            while True:
                message = json.loads(await ws.recv())
                if message.get("id") == mine:
                    if "error" in message:
                        raise RuntimeError(message["error"])
                    return message["result"]
        width, height = map(int, args.size.split("x"))
        await call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        await call("Page.enable")
        await call("Page.navigate", url=args.url)
        ok = False
        end = time.time() + args.timeout
        while time.time() < end:
            result = await call("Runtime.evaluate", expression="Boolean(%s)" % args.wait, returnByValue=True)
            if result.get("result", {}).get("value") is True:
                ok = True
                break
            await asyncio.sleep(0.2)
        report = await call("Runtime.evaluate", expression=args.report, returnByValue=True)
        print(report.get("result", {}).get("value"))
        shot = await call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return ok

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("wait")
    parser.add_argument("out")
    parser.add_argument("--size", default="1000x760")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--profile", default="/tmp/tm-rt-chromium-%d" % os.getpid())
    parser.add_argument("--report", default="document.body.innerText")
    args = parser.parse_args()
    port = free_port()
    browser = subprocess.Popen(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                                "--hide-scrollbars", "--remote-debugging-port=%d" % port,
                                "--remote-allow-origins=*", "--user-data-dir=" + args.profile, "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ok = asyncio.run(drive(args, port))
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
