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

    static func date(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
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
        let trainHistory = history.filter { $0["phase"] as? String == "train" }
        let validHistory = history.filter { $0["phase"] as? String == "valid" }
        #expect(trainHistory.compactMap { $0["epoch"] as? Int } == [1, 2, 3, 4])
        #expect(validHistory.compactMap { $0["epoch"] as? Int } == [1, 2, 3, 4])
        #expect(abs((trainHistory.last?["total_return"] as? Double ?? 0) - 0.06) < 1e-12)
        #expect(abs((validHistory.last?["total_return"] as? Double ?? 0) - 0.02) < 1e-12)
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
    /// a subscriber of that channel alone sees the run end (the job's terminal `job.status`);
    /// every finished episode of both phases is announced once, after its table was read, with
    /// its metrics; the job's status events come in the order of its transitions. Another user
    /// cannot get a ticket for it.
    @Test func trainingEventsArriveOnTheTrainingChannel() throws {
        let rt = try RealtimeFixtures()
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "name": "deepscalper live"])
        let (_, other) = try t.user()
        #expect(try rt.tickets(other, ["training:\(id)"]).status == 404)
        let subscriber = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(auth, "training:\(id)")), ["--until", "job.status:succeeded", "--timeout", "60"])
        try subscriber.waitConnected()
        let worker = try t.worker()
        defer { worker.stop() }
        // The subscriber stops by itself on the terminal status it got on the training's channel.
        #expect(subscriber.finish(seconds: 60) == 0, "\(subscriber.text)")
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        let events = subscriber.events
        #expect(events.allSatisfy { $0["channel"] as? String == "training:\(id)" }, "\(subscriber.text)")
        #expect(events.allSatisfy { ($0["data"] as? [String: Any])?["training_id"] as? Int == id }, "\(subscriber.text)")
        let epochs = events.filter { $0["type"] as? String == "training.epoch" }.compactMap { $0["data"] as? [String: Any] }
        for phase in ["train", "valid"] {
            let numbers = epochs.filter { $0["phase"] as? String == phase }.compactMap { $0["epoch"] as? Int }
            #expect(numbers == [1, 2, 3, 4], "\(phase): \(numbers)")
        }
        // Each with its table: the train one's four metrics, the validation's total return.
        for epoch in epochs {
            let metrics = epoch["metrics"] as? [String: Double] ?? [:]
            let k = Double(epoch["epoch"] as? Int ?? 0)
            if epoch["phase"] as? String == "train" {
                #expect(abs((metrics["total_return"] ?? 0) - 0.015 * k) < 1e-12 && metrics.count == 4, "\(epoch)")
            } else {
                #expect(abs((metrics["total_return"] ?? 0) - 0.005 * k) < 1e-12, "\(epoch)")
            }
        }
        // Train k, valid k, train k+1: the log's order.
        let order = epochs.map { "\($0["phase"] ?? ""):\($0["epoch"] ?? "")" }
        #expect(order == (1...4).flatMap { ["train:\($0)", "valid:\($0)"] }, "\(order)")
        let statuses = events.filter { $0["type"] as? String == "job.status" }.compactMap { $0["data"] as? [String: Any] }
        let versions = statuses.compactMap { $0["status_version"] as? Int }
        #expect(versions.count == statuses.count && zip(versions, versions.dropFirst()).allSatisfy { $1 >= $0 }, "\(statuses)")
        #expect(statuses.last?["status"] as? String == "succeeded")
        // queued (1) → running (2) → succeeded (3): the trigger counted each transition once.
        let job = try #require(done["job_id"] as? Int)
        #expect(try t.sql("SELECT status_version FROM jobs WHERE id = \(job)") == "3")
        #expect(statuses.last?["status_version"] as? Int == 3)
        let seqs = events.seqs
        #expect(seqs.count == events.count && zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(seqs)")
    }

    /// Progress counts finished episodes: while a long run is in episode k, `epoch` is k − 1
    /// and the job's progress is 0.8 × the finished train and validation episodes over 2N.
    @Test func progressCountsFinishedEpisodes() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "config": ["dataset_name": "algorithmic_trading:SLOW"]])
        let running = try t.poll("/api/v1/training/\(id)/status", auth) { ($0["epoch"] as? Int ?? 0) >= 2 }
        let epoch = try #require(running["epoch"] as? Int)
        let log = running["log"] as? [String] ?? []
        // The log's last marker is the episode in progress, one past the finished ones.
        #expect(log.last { $0.hasPrefix("Train Episode: [") } == "Train Episode: [\(epoch + 1)/1000]", "\(log.suffix(5))")
        // Progress lags the epoch by at most the 1 s write throttle: never ahead of it.
        let progress = try #require(running["progress"] as? Double)
        #expect(progress <= 0.8 * Double(2 * epoch) / 2000 + 1e-12, "\(progress) at epoch \(epoch)")
        _ = try t.client.send("POST", "/api/v1/training/\(id)/stop", headers: auth)
        _ = try t.finished("/api/v1/training/\(id)/status", auth, seconds: 10)
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

    @Test func theServiceDownAtStartWaitsOutItsBudgetThenFailsAndComesBack() throws {
        // A port where nothing listens: the service is down.
        let port = 18_000 + Int.random(in: 600...900)
        // 0.05 min: the job waits 3 s for the service, spending no attempt, then fails.
        let worker = try t.worker(["TRADEMASTER_API_URL": "http://127.0.0.1:\(port)", "TM_TRADEMASTER_OUTAGE_MIN": "0.05"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy])
        let waiting = try t.poll("/api/v1/training/\(id)/status", auth) {
            ($0["message"] as? String ?? "").hasPrefix("waiting for the TradeMaster service")
        }
        #expect(waiting["status"] as? String == "running" && waiting["attempts"] as? Int == 1, "\(waiting)")
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        #expect(done["status"] as? String == "failed" && done["attempts"] as? Int == 1, "\(done)")
        let error = done["error"] as? String ?? ""
        #expect(error.contains("unreachable for longer than the outage budget (0.05 min)"), "\(error)")
        let job = try #require(done["job_id"] as? Int)
        #expect(try t.sql("SELECT jsonb_array_length(errors) FROM jobs WHERE id = \(job)") == "1")
        #expect(try t.sql("SELECT state FROM service_breakers WHERE service = 'trademaster'") == "open")

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

    /// The service goes away mid-run for longer than the client's retries and the breaker's
    /// open time, and comes back with the session going on: the job waits (no attempt spent),
    /// resumes polling the same session and ends as an undisturbed run does.
    @Test func anOutageMidRunIsWaitedOutAndTheSameSessionFinishes() throws {
        let worker = try t.worker(["TM_TRADEMASTER_OUTAGE_MIN": "1"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let (id, _) = try start(auth, ["strategy_id": strategy, "config": ["dataset_name": "algorithmic_trading:LONG"]])
        let before = try t.poll("/api/v1/training/\(id)/status", auth) { ($0["epoch"] as? Int ?? 0) >= 2 }
        let session = try #require(before["session_id"] as? String)
        let port = try #require(URLComponents(string: ProcessInfo.processInfo.environment["TRADEMASTER_API_URL"] ?? "")?.port)
        let outage = try TestHTTPClient(port: port).send("POST", "/_fake/outage", json: ["seconds": 3])
        #expect(outage.status == 200)
        let waiting = try t.poll("/api/v1/training/\(id)/status", auth) {
            ($0["message"] as? String ?? "").hasPrefix("waiting for the TradeMaster service")
        }
        #expect(waiting["status"] as? String == "running")
        // Meanwhile /api/v1/status never shows an open breaker whose time has passed.
        let status = try t.client.send("GET", "/api/v1/status")
        let check = (status.json["checks"] as? [String: Any])?["trademaster"] as? [String: Any] ?? [:]
        if check["circuit"] as? String == "open" {
            let until = try #require((check["circuit_open_until"] as? String).flatMap(Self.date))
            #expect(until > Date().addingTimeInterval(-1), "\(check)")
        }
        let done = try t.finished("/api/v1/training/\(id)/status", auth, seconds: 60)
        #expect(done["status"] as? String == "succeeded" && done["attempts"] as? Int == 1, "\(done["error"] ?? "")")
        #expect(done["session_id"] as? String == session)
        let metrics = try #require((done["result"] as? [String: Any])?["metrics"] as? [String: Double])
        #expect(abs((metrics["total_return"] ?? 0) - 0.17242411) < 1e-12 && abs((metrics["sharpe"] ?? 0) - 0.462133) < 1e-12)
        #expect(done["epoch"] as? Int == 12)
        let job = try #require(done["job_id"] as? Int)
        #expect(try t.sql("SELECT jsonb_array_length(errors) FROM jobs WHERE id = \(job)") == "0")
        // One session: train was called once, not again after the outage.
        let calls = try JSONSerialization.jsonObject(with: Data(TestHTTPClient(port: port).send("GET", "/_fake/calls").body)) as? [String: Int]
        #expect((calls?["/api/TradeMaster/train"] ?? 0) >= 1)
        #expect((done["log"] as? [String])?.filter { $0.hasPrefix("TradeMaster session ") }.count == 1)
    }

    /// `/api/v1/status` reads the recorded breaker against the clock: an open state whose time
    /// has passed is `half_open` (the next call is a trial), without an `open_until`.
    @Test func theStatusNeverShowsAnExpiredOpenBreaker() throws {
        _ = try t.sql(
            """
            INSERT INTO service_breakers (service, state, failures, open_until, last_error, updated_at)
            VALUES ('trademaster', 'open', 5, now() - interval '80 seconds', 'connection refused', now() - interval '110 seconds')
            ON CONFLICT (service) DO UPDATE SET state = EXCLUDED.state, failures = EXCLUDED.failures,
                open_until = EXCLUDED.open_until, last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
            RETURNING state
            """)
        var check = ((try t.client.send("GET", "/api/v1/status")).json["checks"] as? [String: Any])?["trademaster"] as? [String: Any] ?? [:]
        #expect(check["circuit"] as? String == "half_open" && check["circuit_open_until"] == nil, "\(check)")
        _ = try t.sql("UPDATE service_breakers SET open_until = now() + interval '30 seconds' WHERE service = 'trademaster' RETURNING state")
        check = ((try t.client.send("GET", "/api/v1/status")).json["checks"] as? [String: Any])?["trademaster"] as? [String: Any] ?? [:]
        #expect(check["circuit"] as? String == "open" && check["circuit_open_until"] is String, "\(check)")
        _ = try t.sql("UPDATE service_breakers SET state = 'closed', open_until = NULL, failures = 0 WHERE service = 'trademaster' RETURNING state")
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
