import Foundation
import TestSupport
import Testing

/// A browser front end on another origin, in a real Chromium: a page served from
/// http://127.0.0.1:PORT (an allowed origin) calls the API at http://localhost:18000 with
/// fetch. It reads the strategy's ETag, edits it with If-Match, gets the 412 on the stale one,
/// and executes it twice with one Idempotency-Key, reading Idempotent-Replayed. Every header
/// it reads is one the CORS configuration must expose; every header it sends needs the
/// preflight to allow it.
@Suite(.serialized) struct CORSBrowserTests {
    let sx: StrategyFixtures

    init() throws {
        sx = try StrategyFixtures()
    }

    @Test func aPageOnAnotherOriginEditsWithIfMatchAndRetriesWithAnIdempotencyKey() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.upload(auth, text: DataFixtures.wideDaily(count: 60).text)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        let token = try #require(auth["Authorization"]?.replacingOccurrences(of: "Bearer ", with: ""))

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tm-cors-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch + "/site", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let api = "http://localhost:\(sx.stack.port)"
        let page = """
            <!doctype html><html><head><meta charset="utf-8"><title>pending</title></head><body><pre id="out">pending</pre><script>
            const api = \(quoted(api)), id = \(strategy), dataset = \(dataset);
            const auth = {"Authorization": "Bearer " + \(quoted(token))};
            const log = {origin: location.origin};
            (async () => {
              try {
                let r = await fetch(`${api}/api/v1/strategies/${id}`, {headers: auth});
                log.get = r.status; const etag = r.headers.get("ETag"); log.etag = etag;
                const patch = (tag, text) => fetch(`${api}/api/v1/strategies/${id}`, {method: "PATCH",
                  headers: {...auth, "Content-Type": "application/json", "If-Match": tag}, body: JSON.stringify({description: text})});
                r = await patch(etag, "edited in a browser");
                log.patch = r.status; log.patchEtag = r.headers.get("ETag"); log.description = (await r.json()).description;
                r = await patch(etag, "lost");
                log.stale = r.status; log.staleType = r.headers.get("Content-Type"); log.staleEtag = r.headers.get("ETag");
                const key = "browser-" + Date.now();
                const execute = () => fetch(`${api}/api/v1/strategies/${id}/execute`, {method: "POST",
                  headers: {...auth, "Content-Type": "application/json", "Idempotency-Key": key},
                  body: JSON.stringify({dataset_id: dataset, symbol: "AAA"})});
                r = await execute();
                log.execute = r.status; log.location = r.headers.get("Location"); log.run = (await r.json()).id;
                r = await execute();
                log.replay = r.status; log.replayed = r.headers.get("Idempotent-Replayed"); log.replayRun = (await r.json()).id;
                log.requestId = r.headers.get("X-Request-ID");
              } catch (e) { log.error = String(e); }
              document.getElementById("out").textContent = JSON.stringify(log);
              document.title = "done";
            })();
            </script></body></html>
            """
        try page.write(toFile: scratch + "/site/index.html", atomically: true, encoding: .utf8)
        let port = try PrivatePool.freePort()
        let server = try Subprocess.spawn(
            ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", scratch + "/site"],
            environment: ProcessInfo.processInfo.environment, outputPath: scratch + "/server.log")
        defer {
            kill(server, SIGKILL)
            _ = Subprocess.wait(server, seconds: 5)
        }
        for _ in 0..<50 where (try? TestHTTPClient(port: port).send("GET", "/index.html").status) != 200 { usleep(100_000) }

        let result = try TestStack.run([
            "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--user-data-dir=\(scratch)/profile",
            "--virtual-time-budget=30000", "--dump-dom", "http://127.0.0.1:\(port)/index.html",
        ])
        let text = result.output
        let start = try #require(text.range(of: "<pre id=\"out\">"), "no result in the page: \(text.suffix(800))")
        let end = try #require(text.range(of: "</pre>", range: start.upperBound..<text.endIndex))
        let json = String(text[start.upperBound..<end.lowerBound])
        let log = try #require(
            try JSONSerialization.jsonObject(
                with: Data(
                    json.replacingOccurrences(of: "&quot;", with: "\"")
                        .replacingOccurrences(of: "&amp;", with: "&").utf8)) as? [String: Any], "\(json)")
        #expect(log["error"] == nil, "\(log)")
        #expect(log["origin"] as? String == "http://127.0.0.1:\(port)")
        #expect(log["get"] as? Int == 200 && log["etag"] as? String == "\"1\"", "ETag readable: \(log)")
        #expect(
            log["patch"] as? Int == 200 && log["patchEtag"] as? String == "\"2\"" && log["description"] as? String == "edited in a browser", "\(log)")
        #expect(
            log["stale"] as? Int == 412 && log["staleType"] as? String == "application/problem+json" && log["staleEtag"] as? String == "\"2\"",
            "\(log)")
        #expect(log["execute"] as? Int == 202 && (log["location"] as? String)?.hasPrefix("/api/v1/runs/") == true, "\(log)")
        #expect(log["replay"] as? Int == 202 && log["replayed"] as? String == "true" && log["replayRun"] as? Int == log["run"] as? Int, "\(log)")
        #expect((log["requestId"] as? String)?.isEmpty == false, "\(log)")
        // The server side agrees: one edit, one run.
        let shown = try sx.client.send("GET", "/api/v1/strategies/\(strategy)", headers: auth)
        #expect(shown.json["description"] as? String == "edited in a browser" && shown.header("etag") == "\"2\"")
        let runs = try sx.client.send("GET", "/api/v1/strategies/\(strategy)/runs", headers: auth).json["items"] as? [[String: Any]]
        #expect(runs?.count == 1, "\(String(describing: runs))")
    }

    func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text])
        return String(decoding: data ?? Data(), as: UTF8.self).dropFirst().dropLast().description
    }
}
