import Foundation
import Support
import TestSupport
import Testing

/// `POST /api/v1/data/import` through nginx with a real `tm worker`, from a local HTTP
/// server (loopback only): allowed with `TM_IMPORT_ALLOW_PRIVATE=true`, refused without.
@Suite(.serialized) struct ImportHandlersTests {
    let fx: AuthFixtures
    /// Ports of the local servers, next to the stack's (so two worktrees' suites do not meet).
    static let port = (Int(ProcessInfo.processInfo.environment["TM_TEST_HTTP_PORT"] ?? "") ?? 18000) + 93
    static let dripPort = port + 1

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

        // The shared pool does not allow private addresses: an address literal is refused at once,
        // naming the URL; so is one of this server's own interfaces' addresses, on any port.
        let own = IPAddress.localAddresses().filter { $0.count == 4 && $0[0] != 127 }.map { IPAddress.format($0) }
        for target in [
            url, "http://169.254.169.254/latest/meta-data/", "http://[::1]:\(Self.port)/AAPL.csv", "http://127.0.0.1:1/a.csv",
        ] + own.map({ "http://\($0):\(Self.port)/AAPL.csv" }) {
            let refused = try fx.client.send("POST", "/api/v1/data/import", headers: auth, json: ["url": target, "name": "refused"])
            #expect(refused.status == 422, "\(target): \(refused.text)")
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/url")
        }
        // A name is not resolved on the request's thread: 202, and the job resolves it and fails
        // with the reason (localhost is loopback).
        let named = try fx.client.send(
            "POST", "/api/v1/data/import", headers: auth, json: ["url": "http://localhost:\(Self.port)/AAPL.csv", "name": "named"])
        #expect(named.status == 202, "\(named.text)")
        let namedJob = try waitForJob(client, try #require(named.header("location")), auth)
        let namedError = namedJob["error"] as? String ?? ""
        #expect(namedJob["status"] as? String == "failed" && namedError.contains("localhost resolves to"), "\(namedJob)")
        #expect(namedError.contains("loopback"), "\(namedJob)")
        let bad = try fx.client.send(
            "POST", "/api/v1/data/import", headers: auth, json: ["url": "ftp://example.com/a.csv", "name": "", "symbol": "X"])
        #expect(bad.status == 422)
        let pointers = Set((bad.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? [])
        #expect(pointers == ["/url", "/name"], "\(pointers)")
        let viewer = try fx.login(try fx.createWithCLI(role: "viewer")).bearer
        #expect(try fx.client.send("POST", "/api/v1/data/import", headers: viewer, json: ["url": url, "name": "v"]).status == 403)
    }

    /// A server that sends a CSV a row at a time, `delay` seconds apart (started with python3).
    func drip(_ text: String, delay: Double) throws -> pid_t {
        let file = NSTemporaryDirectory() + "tm-drip-\(UUID().uuidString.prefix(8)).csv"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let script = """
            import http.server, sys, time
            rows = open(sys.argv[2], 'rb').read().splitlines(keepends=True)
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.send_header('Content-Type', 'text/csv')
                    self.end_headers()
                    for row in rows:
                        self.wfile.write(row)
                        self.wfile.flush()
                        time.sleep(float(sys.argv[3]))
            http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
            """
        let pid = try Subprocess.spawn(
            ["python3", "-c", script, String(Self.dripPort), file, String(delay)], environment: ProcessInfo.processInfo.environment,
            outputPath: file + ".log")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? TestStack.run(["python3", "-c", "import socket; socket.create_connection(('127.0.0.1', \(Self.dripPort)), 1)"]))?.status == 0 {
                return pid
            }
            usleep(50_000)
        }
        kill(pid, SIGTERM)
        throw TestHTTPError(description: "the drip server did not start")
    }

    /// A server that drips its file holds no PostgreSQL transaction open: the file is fetched
    /// first (to a temporary file), and the rows are written in one short transaction after.
    @Test func aServerThatDripsBytesHoldsNoTransactionOpen() throws {
        let (text, _) = DataFixtures.wideDaily(count: 16, seed: 3)
        let server = try drip(text, delay: 0.25)
        defer {
            kill(server, SIGTERM)
            _ = Subprocess.wait(server, seconds: 5)
        }
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 2, environment: ["TM_IMPORT_ALLOW_PRIVATE": "true"])
        defer { pool.stop() }
        let worker = try TestWorker(stack: fx.stack, concurrency: 1, environment: ["TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let client = pool.client()
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let accepted = try client.send(
            "POST", "/api/v1/data/import", headers: auth, json: ["url": "http://127.0.0.1:\(Self.dripPort)/prices.csv", "name": "dripped"])
        #expect(accepted.status == 202, "\(accepted.text)")
        let location = try #require(accepted.header("location"))
        // The file takes about 4 s; look at the sessions from its second second on, while it drips.
        let started = Date()
        var open: [String] = []
        var samples = 0
        while Date().timeIntervalSince(started) < 3.2 {
            usleep(250_000)
            guard Date().timeIntervalSince(started) > 1.2 else { continue }
            let job = try client.send("GET", location, headers: auth).json
            guard job["status"] as? String == "running" else { continue }
            samples += 1
            let rows = try DataFixtures.sql(
                fx.stack,
                """
                SELECT coalesce(string_agg(state || ': ' || left(query, 80), ' | '), '') FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                  AND state IN ('idle in transaction', 'active') AND xact_start < now() - interval '1 second'
                """)
            if !rows.isEmpty { open.append(rows) }
        }
        #expect(samples >= 3, "the job was seen running while the file dripped")
        #expect(open.isEmpty, "transactions open while the file dripped: \(open)")
        let job = try waitForJob(client, location, auth)
        #expect(job["status"] as? String == "succeeded", "\(job)")
        #expect((job["result"] as? [String: Any])?["row_count"] as? Int == 16, "\(job)")
    }
}
