import Foundation
import TestSupport
import Testing

/// `POST /api/v1/data/import` through nginx with a real `tm worker`, from a local HTTP
/// server (loopback only): allowed with `TM_IMPORT_ALLOW_PRIVATE=true`, refused without.
@Suite(.serialized) struct ImportHandlersTests {
    let fx: AuthFixtures
    static let port = 18093

    init() throws {
        fx = try AuthFixtures()
    }

    /// A directory served by `python3 -m http.server` on 127.0.0.1; stop with `kill`.
    func serve(_ files: [String: String]) throws -> (pid: pid_t, directory: String) {
        let directory = NSTemporaryDirectory() + "tm-import-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        let pid = try Subprocess.spawn(
            ["python3", "-m", "http.server", String(Self.port), "--bind", "127.0.0.1", "--directory", directory],
            environment: ProcessInfo.processInfo.environment, outputPath: directory + ".log")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? TestHTTPClient(port: Self.port).send("GET", "/")) != nil { return (pid, directory) }
            usleep(50_000)
        }
        kill(pid, SIGTERM)
        throw TestHTTPError(description: "the local HTTP server did not start")
    }

    func waitForJob(_ client: any TestClient, _ location: String, _ auth: [String: String]) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(30)
        while true {
            let job = try client.send("GET", location, headers: auth).json
            if ["succeeded", "failed", "cancelled"].contains(job["status"] as? String ?? "") || Date() > deadline { return job }
            usleep(50_000)
        }
    }

    @Test func importsFromALocalServerOnlyWhenPrivateAddressesAreAllowed() throws {
        let (text, dates) = DataFixtures.wideDaily(count: 12, seed: 8)
        let big = DataFixtures.wideDaily(count: 400, seed: 8).text
        let server = try serve(["AAPL.csv": text, "big.csv": big, "page.html": "<html><head><title>internal-secret-7</title></head></html>\n"])
        defer {
            kill(server.pid, SIGTERM)
            _ = Subprocess.wait(server.pid, seconds: 5)
        }
        let pool = try PrivatePool(
            stack: fx.stack, workers: 1, threads: 4,
            environment: ["TM_IMPORT_ALLOW_PRIVATE": "true", "TM_IMPORT_MAX_BYTES": "8000"])
        defer { pool.stop() }
        let worker = try TestWorker(stack: fx.stack, concurrency: 2, environment: ["TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let client = pool.client()
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let url = "http://127.0.0.1:\(Self.port)/AAPL.csv"

        let accepted = try client.send("POST", "/api/v1/data/import", headers: auth, json: ["url": url, "name": "imported", "tags": ["web"]])
        #expect(accepted.status == 202, "\(accepted.text)")
        #expect(accepted.json["kind"] as? String == "data.import")
        let location = try #require(accepted.header("location"))
        let job = try waitForJob(client, location, auth)
        #expect(job["status"] as? String == "succeeded", "\(job)")
        let id = try #require((job["result"] as? [String: Any])?["dataset_id"] as? Int)
        let dataset = try client.send("GET", "/api/v1/data/datasets/\(id)", headers: auth)
        let summary = try #require(dataset.json["summary"] as? [String: Any])
        #expect(summary["row_count"] as? Int == 12 && summary["first"] as? String == dates[0] + "T00:00:00Z")
        #expect((summary["symbols"] as? [[String: Any]])?.first?["symbol"] as? String == "AAPL", "the file name names the symbol")
        #expect(dataset.json["tags"] as? [String] == ["web"])
        let csv = try client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(DataFixtures.parse(csv.text, symbol: "AAPL") == DataFixtures.parse(text, symbol: "AAPL"))

        // The name is now taken; a file over TM_IMPORT_MAX_BYTES and a missing file fail their jobs, leaving nothing.
        #expect(try client.send("POST", "/api/v1/data/import", headers: auth, json: ["url": url, "name": "IMPORTED"]).status == 409)
        for (file, reason) in [("big.csv", "larger than 8000 bytes"), ("missing.csv", "answered 404")] {
            let name = "failing-\(file)"
            let queued = try client.send(
                "POST", "/api/v1/data/import", headers: auth,
                json: ["url": "http://127.0.0.1:\(Self.port)/\(file)", "name": name])
            #expect(queued.status == 202, "\(queued.text)")
            let failed = try waitForJob(client, try #require(queued.header("location")), auth)
            #expect(
                failed["status"] as? String == "failed" && (failed["error"] as? String ?? failed["message"] as? String ?? "").contains(reason),
                "\(failed)")
            #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name = '\(name)'") == "0")
        }

        // A document that is no price file fails without quoting it (it may be a page only the server can reach).
        let page = try client.send(
            "POST", "/api/v1/data/import", headers: auth, json: ["url": "http://127.0.0.1:\(Self.port)/page.html", "name": "page"])
        #expect(page.status == 202, "\(page.text)")
        let pageJob = try waitForJob(client, try #require(page.header("location")), auth)
        let pageError = pageJob["error"] as? String ?? ""
        #expect(pageJob["status"] as? String == "failed" && pageError.contains("not a price file"), "\(pageJob)")
        #expect(!"\(pageJob)".contains("internal-secret"), "\(pageJob)")

        // Two imports of one name at once: one job, one conflict.
        let statuses = ResultList()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let response = try? TestHTTPClient(port: pool.port).send(
                "POST", "/api/v1/data/import", headers: auth,
                json: ["url": url, "name": "twice"])
            statuses.append(response?.status ?? 0)
        }
        #expect(statuses.values.sorted() == [202, 409], "\(statuses.values)")

        // The shared pool does not allow private addresses: refused at once, naming the URL.
        for target in [
            url, "http://localhost:\(Self.port)/AAPL.csv", "http://169.254.169.254/latest/meta-data/", "http://[::1]:\(Self.port)/AAPL.csv",
        ] {
            let refused = try fx.client.send("POST", "/api/v1/data/import", headers: auth, json: ["url": target, "name": "refused"])
            #expect(refused.status == 422, "\(target): \(refused.text)")
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/url")
        }
        let bad = try fx.client.send(
            "POST", "/api/v1/data/import", headers: auth, json: ["url": "ftp://example.com/a.csv", "name": "", "symbol": "X"])
        #expect(bad.status == 422)
        let pointers = Set((bad.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? [])
        #expect(pointers == ["/url", "/name"], "\(pointers)")
        let viewer = try fx.login(try fx.createWithCLI(role: "viewer")).bearer
        #expect(try fx.client.send("POST", "/api/v1/data/import", headers: viewer, json: ["url": url, "name": "v"]).status == 403)
    }
}
