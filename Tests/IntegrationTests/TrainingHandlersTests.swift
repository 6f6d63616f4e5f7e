import Foundation
import TestSupport
import Testing

/// `/api/v1/training` through nginx and the pool, run by a real `tm worker` against the fake
/// TradeMaster service (Tests/fake-trademaster, written from the contract).
@Suite(.serialized) struct TrainingHandlersTests {
    let t: TrainingFixtures

    init() throws {
        t = try TrainingFixtures()
    }

    func start(_ auth: [String: String], _ body: [String: Any]) throws -> (id: Int, json: [String: Any]) {
        let response = try t.client.send("POST", "/api/v1/training/start", headers: auth, json: body)
        try #require(response.status == 202, "\(response.status) \(response.text)")
        let id = try #require(response.json["id"] as? Int)
        #expect(response.header("location") == "/api/v1/training/\(id)")
        return (id, response.json)
    }

    @Test func deepscalperTrainsAndTestsWithParsedMetricsAndAPlot() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, created) = try start(auth, ["strategy_id": strategy, "name": "deepscalper BTC"])
        #expect(created["status"] as? String == "queued" && created["kind"] as? String == "trademaster")
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        let metrics = try #require((done["result"] as? [String: Any])?["metrics"] as? [String: Double])
        // The contract's table: | 17.242411% | 0.462133 | 2.009390% | 46.642089% |, as fractions.
        #expect(abs(metrics["total_return"]! - 0.17242411) < 1e-12)
        #expect(abs(metrics["sharpe"]! - 0.462133) < 1e-12)
        #expect(abs(metrics["volatility"]! - 0.0200939) < 1e-12)
        #expect(abs(metrics["max_drawdown"]! - 0.46642089) < 1e-12)
        #expect(done["epoch"] as? Int == 4 && done["total_epochs"] as? Int == 4 && done["progress"] as? Double == 1)
        let history = try #require(done["metrics_history"] as? [[String: Any]])
        #expect(history.compactMap { $0["epoch"] as? Int } == [1, 2, 3, 4])
        #expect(abs((history.last?["total_return"] as? Double ?? 0) - 0.06) < 1e-12)
        let log = try #require(done["log"] as? [String])
        #expect(log.contains("Train Episode: [4/4]") && !log.joined().contains("\u{1B}"))
        #expect((done["session_id"] as? String)?.count == 36)
        let plot = try t.client.send("GET", "/api/v1/training/\(id)/plot.png", headers: auth)
        #expect(plot.status == 200 && plot.header("content-type") == "image/png")
        #expect(Array(plot.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try t.client.send("GET", "/api/v1/training/\(id)", headers: auth).json["id"] as? Int == id)
        let metricsText = try t.client.send("GET", "/metrics").text
        #expect(metricsText.contains("tm_training_jobs_total{engine=\"trademaster\",outcome=\"succeeded\"}"), "\(metricsText.suffix(500))")

        // Listed with filters; another user sees nothing of it.
        let list = try t.client.send("GET", "/api/v1/training?status=succeeded&strategy_id=\(strategy)", headers: auth)
        #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [id] && list.json["total"] as? Int == 1)
        let (_, bobAuth) = try t.user()
        for (method, path) in [("GET", "/status"), ("GET", ""), ("GET", "/plot.png"), ("POST", "/stop"), ("POST", "/apply")] {
            #expect(try t.client.send(method, "/api/v1/training/\(id)\(path)", headers: bobAuth).status == 404, "\(method) \(path)")
        }
        #expect(try t.client.send("GET", "/api/v1/training", headers: bobAuth).json["total"] as? Int == 0)
        // Finished: stop is a 409; a TradeMaster run has nothing to apply.
        #expect(try t.client.send("POST", "/api/v1/training/\(id)/stop", headers: auth).status == 409)
        #expect(try t.client.send("POST", "/api/v1/training/\(id)/apply", headers: auth).status == 409)
    }

    /// A training's events arrive on its own channel, `training:{id}`, numbered without gaps;
    /// another user cannot get a ticket for it.
    @Test func trainingEventsArriveOnTheTrainingChannel() throws {
        let rt = try RealtimeFixtures()
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "name": "deepscalper live"])
        let (_, other) = try t.user()
        #expect(try rt.tickets(other, ["training:\(id)"]).status == 404)
        let subscriber = try rt.subscribe("sse", urlFile: try rt.urlFile(try rt.ticketPath(auth, "training:\(id)")), ["--timeout", "60"])
        try subscriber.waitConnected()
        let worker = try t.worker()
        defer { worker.stop() }
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        usleep(1_000_000)
        subscriber.finish(seconds: 0.5)
        let events = subscriber.events
        #expect(events.allSatisfy { $0["channel"] as? String == "training:\(id)" }, "\(subscriber.text)")
        #expect(events.allSatisfy { ($0["data"] as? [String: Any])?["training_id"] as? Int == id }, "\(subscriber.text)")
        let epochs = events.filter { $0["type"] as? String == "training.epoch" && ($0["data"] as? [String: Any])?["phase"] as? String == "train" }
            .compactMap { ($0["data"] as? [String: Any])?["epoch"] as? Int }
        // One event per new episode the poller saw (it may see two at once): rising, up to the last.
        #expect(!epochs.isEmpty && zip(epochs, epochs.dropFirst()).allSatisfy { $1 > $0 } && epochs.last == 4, "\(subscriber.text)")
        let seqs = events.seqs
        #expect(seqs.count == events.count && zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(seqs)")
    }

    @Test func aCrashFailsWithTheLogTail() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        // With a dataset of ours, it is sent first with upload_csv (a JSON string of row objects).
        let dataset = try t.dataset(DataFixtures.wideDaily(count: 30).text, auth: auth)
        let (id, _) = try start(
            auth,
            [
                "strategy_id": strategy, "dataset_id": dataset,
                "config": ["dataset_name": "algorithmic_trading:CRASH"],
            ])
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "failed")
        let error = done["error"] as? String ?? ""
        #expect(error.contains("crashed") && error.contains("RuntimeError: expected scalar type Float"), "\(error)")
        #expect((done["log"] as? [String])?.contains("Traceback (most recent call last):") == true)
        #expect(done["attempts"] as? Int == 1)
        let port = try #require(URLComponents(string: ProcessInfo.processInfo.environment["TRADEMASTER_API_URL"] ?? "")?.port)
        let uploads = try JSONSerialization.jsonObject(with: Data(TestHTTPClient(port: port).send("GET", "/_fake/uploads").body)) as? [[String: Any]]
        let upload = try #require(uploads?.last { ($0["file_name"] as? String)?.hasPrefix("bars_") == true })
        #expect(upload["rows"] as? Int == 30)
        #expect(upload["columns"] as? [String] == ["adjcp", "close", "date", "high", "low", "open", "tic", "volume"])
        #expect((done["log"] as? [String])?.contains { $0.hasPrefix("uploaded dataset \(dataset) as bars_") } == true)
    }

    @Test func aStallTimesOut() throws {
        let worker = try t.worker(["TM_TRADEMASTER_STALL_S": "1"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "config": ["dataset_name": "algorithmic_trading:STALL"]])
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "failed")
        #expect((done["error"] as? String)?.contains("stalled: its log has not grown for 1 s") == true, "\(done["error"] ?? "")")
        #expect(done["epoch"] as? Int == 1)
    }

    @Test func stopWhileTrainingMarksItCancelled() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "config": ["dataset_name": "algorithmic_trading:SLOW"]])
        try t.poll("/api/v1/training/\(id)/status", auth) { ($0["epoch"] as? Int ?? 0) >= 1 && $0["status"] as? String == "running" }
        let stop = try t.client.send("POST", "/api/v1/training/\(id)/stop", headers: auth)
        #expect(stop.status == 202, "\(stop.text)")
        #expect((stop.json["notice"] as? String)?.contains("cannot cancel") == true)
        let done = try t.finished("/api/v1/training/\(id)/status", auth, seconds: 10)
        #expect(done["status"] as? String == "cancelled")
        #expect(done["total_epochs"] as? Int == 1000 && (done["epoch"] as? Int ?? 0) < 1000)
        #expect(try t.client.send("POST", "/api/v1/training/\(id)/stop", headers: auth).status == 409)
    }

    @Test func theServiceDownAtStartRetriesThenFailsAndComesBack() throws {
        // A port where nothing listens: the service is down.
        let port = 18_000 + Int.random(in: 600...900)
        let worker = try t.worker(["TRADEMASTER_API_URL": "http://127.0.0.1:\(port)"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy])
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "failed" && done["attempts"] as? Int == 3)
        let error = done["error"] as? String ?? ""
        #expect(error.contains("TradeMaster service"), "\(error)")
        #expect(error.contains("unreachable") || error.contains("circuit open"), "\(error)")
        let job = try #require(done["job_id"] as? Int)
        let attempts = try t.sql("SELECT jsonb_array_length(errors) FROM jobs WHERE id = \(job)")
        #expect(attempts == "3")
        #expect(try t.sql("SELECT state FROM service_breakers WHERE service = 'trademaster'") == "open")
        let status = try t.client.send("GET", "/api/v1/status")
        #expect(((status.json["checks"] as? [String: Any])?["trademaster"] as? [String: Any])?["circuit"] as? String == "open")

        // The service comes up on that port: after the breaker's open time a new run goes through.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fake-tm-\(port).log").path
        let fake = try Subprocess.spawn(
            ["python3", "\(t.stack.repo)/Tests/fake-trademaster/server.py", String(port)],
            environment: ProcessInfo.processInfo.environment, outputPath: log)
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        defer {
            kill(fake, SIGKILL)
            _ = Subprocess.wait(fake, seconds: 5)
        }
        usleep(1_500_000)
        let (again, _) = try start(auth, ["strategy_id": strategy])
        let recovered = try t.finished("/api/v1/training/\(again)/status", auth)
        #expect(recovered["status"] as? String == "succeeded", "\(recovered["error"] ?? "")")
        #expect(try t.sql("SELECT state FROM service_breakers WHERE service = 'trademaster'") == "closed")
    }

    @Test func aViewerCannotStartAndBadInputsNameTheField() throws {
        let (_, auth) = try t.user()
        let builtin = try t.builtinStrategy(auth)
        let viewer = try t.fx.createWithCLI(role: "viewer")
        let viewerAuth = try t.fx.login(viewer).bearer
        #expect(try t.client.send("POST", "/api/v1/training/start", headers: viewerAuth, json: ["strategy_id": builtin]).status == 403)
        #expect(try t.client.send("GET", "/api/v1/training", headers: viewerAuth).status == 200)

        let csv = DataFixtures.wideDaily(count: 200).text
        let dataset = try t.dataset(csv, auth: auth)
        func pointers(_ body: [String: Any]) throws -> [String] {
            let response = try t.client.send("POST", "/api/v1/training/start", headers: auth, json: body)
            #expect(response.status == 422 && response.header("content-type") == "application/problem+json", "\(response.text)")
            return (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String }
        }
        #expect(try pointers(["dataset_id": dataset]).contains("/strategy_id"))
        let (_, bobAuth) = try t.user()
        // Another user's strategy is a 404 naming it, as in a path.
        let bobs = try t.client.send(
            "POST", "/api/v1/training/start", headers: auth, json: ["strategy_id": try t.builtinStrategy(bobAuth), "dataset_id": dataset])
        #expect(bobs.status == 404 && (bobs.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/strategy_id", "\(bobs.text)")
        let space: [String: Any] = ["fast": ["min": 5, "max": 20, "step": 5]]
        #expect(try pointers(["strategy_id": builtin, "dataset_id": dataset, "config": ["space": ["nope": [1, 2]]]]) == ["/config/space/nope"])
        #expect(
            try pointers(["strategy_id": builtin, "dataset_id": dataset, "config": ["space": space, "max_trials": 0]]) == ["/config/max_trials"])
        #expect(
            try pointers(["strategy_id": builtin, "dataset_id": dataset, "config": ["space": space, "objective": "alpha"]]) == ["/config/objective"])
        #expect(
            try pointers([
                "strategy_id": builtin, "dataset_id": dataset, "config": ["space": space, "split": ["train": 0.9, "valid": 0.2, "test": 0.1]],
            ]) == ["/config/split"])
        #expect(try pointers(["strategy_id": builtin, "config": ["space": space]]) == ["/dataset_id"])
        #expect(
            try pointers(["strategy_id": builtin, "dataset_id": dataset, "config": ["space": ["fast": ["min": 1, "max": 5]]]]) == [
                "/config/space/fast"
            ])
        #expect(try pointers(["strategy_id": builtin, "dataset_id": dataset, "name": "", "config": ["space": space]]) == ["/name"])
        let tm = try t.tradeMasterStrategy(auth)
        #expect(try pointers(["strategy_id": tm, "config": ["agent": "x"]]) == ["/config/agent"])
        // Idempotency-Key: a retry answers the first training; another body with the key is a 422.
        let key = ["Idempotency-Key": UUID().uuidString]
        let first = try t.client.send("POST", "/api/v1/training/start", headers: auth.merging(key) { $1 }, json: ["strategy_id": tm])
        let retry = try t.client.send("POST", "/api/v1/training/start", headers: auth.merging(key) { $1 }, json: ["strategy_id": tm])
        #expect(first.status == 202 && retry.status == 202 && retry.header("idempotent-replayed") == "true")
        #expect(retry.json["id"] as? Int == first.json["id"] as? Int && retry.header("location") == first.header("location"))
        let other = try t.client.send("POST", "/api/v1/training/start", headers: auth.merging(key) { $1 }, json: ["strategy_id": tm, "name": "x"])
        #expect(other.status == 422)
        let badStatus = try t.client.send("GET", "/api/v1/training?status=done", headers: auth)
        #expect(badStatus.status == 422 && (badStatus.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "status")
        #expect(try t.client.send("GET", "/api/v1/training/0", headers: auth).status == 404)
        #expect(try t.client.send("GET", "/api/v1/training/abc/status", headers: auth).status == 404)
    }
}
