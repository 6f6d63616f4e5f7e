import Foundation
import TestSupport
import Testing

/// Our API against the real TradeMaster service run locally (shared/TRADEMASTER-API.md,
/// "Running it locally"), through nginx, the pool and a `tm worker` pointed at it. Opt-in:
/// only with `TM_REAL_TRADEMASTER_URL` set; the outage test also needs
/// `TM_REAL_TRADEMASTER_STOP` and `TM_REAL_TRADEMASTER_START` (shell commands that stop and
/// start the service without touching its detached runs). A DeepScalper run takes about two
/// minutes of both cores: run it under the CPU lock.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TM_REAL_TRADEMASTER_URL"] != nil))
struct RealTradeMasterFlowTests {
    let t: TrainingFixtures
    let environment = ProcessInfo.processInfo.environment
    let base = "/api/v1/analysis/market-dynamics"

    init() throws {
        t = try TrainingFixtures()
    }

    /// A worker on the real service with the production timings (breaker open 30 s).
    func worker() throws -> TestWorker {
        try t.worker([
            "TRADEMASTER_API_URL": environment["TM_REAL_TRADEMASTER_URL"] ?? "", "TM_TRADEMASTER_STALL_S": "600",
            "TM_TRADEMASTER_TIMEOUT_S": "3600", "TM_TRADEMASTER_POLL_MS": "1000", "TM_TRADEMASTER_MAX_POLL_MS": "5000",
            "TM_TRADEMASTER_RETRIES": "4", "TM_TRADEMASTER_RETRY_MS": "500", "TM_TRADEMASTER_BREAKER_FAILURES": "5",
            "TM_TRADEMASTER_BREAKER_OPEN_S": "30", "TM_TRADEMASTER_OUTAGE_MIN": "5",
        ])
    }

    func shell(_ command: String) throws {
        let result = try TestStack.run(["sh", "-c", command])
        try #require(result.status == 0, "\(command): \(result.output)")
    }

    /// The README's request: labelled with the service's defaults, with its picture and its
    /// analysis; the dynamics test of a labelling alone is refused up front.
    @Test func theReadmesMarketDynamicsRequest() throws {
        let worker = try worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let created = try t.client.send(
            "POST", base, headers: auth,
            json: [
                "dataset_name": "algorithmic_trading:BTC", "start_date": "2020-01-01", "end_date": "2021-01-01",
                "number_of_market_style": 3, "labeling_method": "quantile",
            ])
        try #require(created.status == 202, "\(created.text)")
        let id = try #require(created.json["id"] as? Int)
        let done = try t.finished("\(base)/\(id)", auth, seconds: 300)
        print("REAL market dynamics: \(done["status"] ?? "") \(done["error"] ?? "") result \(done["result"] ?? "")")
        try #require(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        let result = try #require(done["result"] as? [String: Any])
        let picture = try t.client.send("GET", "\(base)/\(id)/images/visualization.png", headers: auth)
        #expect(picture.status == 200 && picture.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let rows = ((result["analysis"] as? [String: Any])?["rows"] as? [[String: Any]]) ?? []
        #expect(!rows.isEmpty && rows.allSatisfy { $0["average_k_list_mean"] is Double }, "\(result)")
        #expect(try t.client.send("GET", "\(base)/\(id)/images/analysis.csv", headers: auth).status == 200)
        #expect(try t.client.send("POST", "\(base)/\(id)/save", headers: auth).status == 200)
        let refused = try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 0])
        print("REAL dynamics test of a labelling alone: \(refused.status) \(refused.json["detail"] ?? "")")
        #expect(refused.status == 409)
    }

    /// DeepScalper on BTC with the service killed for 60 s mid-run and started again: the job
    /// waits, resumes its session and ends as an undisturbed run (seeded: 0.17242411, Sharpe
    /// 0.462133); a subscriber of `training:{id}` alone sees it end. Then its agent is
    /// dynamics-tested on a labelling made in its session: the test runs to an end.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TM_REAL_TRADEMASTER_STOP"] != nil))
    func aTrainingOutlivesAServiceRestart() throws {
        let rt = try RealtimeFixtures()
        let worker = try worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        let started = try t.client.send("POST", "/api/v1/training/start", headers: auth, json: ["strategy_id": strategy])
        try #require(started.status == 202, "\(started.text)")
        let id = try #require(started.json["id"] as? Int)
        let subscriber = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(auth, "training:\(id)")), ["--until", "job.status:succeeded", "--timeout", "900"])
        try subscriber.waitConnected()
        try t.poll("/api/v1/training/\(id)/status", auth, seconds: 300) { ($0["epoch"] as? Int ?? 0) >= 3 }
        let killedAt = Date()
        try shell(try #require(environment["TM_REAL_TRADEMASTER_STOP"]))
        var sawWaiting = false
        var expiredOpen = false
        while Date().timeIntervalSince(killedAt) < 60 {
            let status = try t.client.send("GET", "/api/v1/training/\(id)/status", headers: auth).json
            sawWaiting = sawWaiting || (status["message"] as? String ?? "").hasPrefix("waiting for the TradeMaster service")
            #expect(status["status"] as? String == "running", "\(status["error"] ?? "")")
            let check = (try t.client.send("GET", "/api/v1/status").json["checks"] as? [String: Any])?["trademaster"] as? [String: Any] ?? [:]
            if check["circuit"] as? String == "open", let until = (check["circuit_open_until"] as? String).flatMap(TrainingHandlersTests.date) {
                expiredOpen = expiredOpen || until < Date().addingTimeInterval(-1)
            }
            usleep(2_000_000)
        }
        try shell(try #require(environment["TM_REAL_TRADEMASTER_START"]))
        let done = try t.finished("/api/v1/training/\(id)/status", auth, seconds: 900)
        print(
            "REAL outage run: \(done["status"] ?? "") attempts \(done["attempts"] ?? "") metrics \((done["result"] as? [String: Any])?["metrics"] ?? "") error \(done["error"] ?? "")"
        )
        #expect(sawWaiting && !expiredOpen)
        try #require(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        #expect(done["attempts"] as? Int == 1)
        let metrics = try #require((done["result"] as? [String: Any])?["metrics"] as? [String: Double])
        #expect(abs((metrics["total_return"] ?? 0) - 0.17242411) < 1e-12 && abs((metrics["sharpe"] ?? 0) - 0.462133) < 1e-12, "\(metrics)")
        #expect(subscriber.finish(seconds: 60) == 0, "the training channel's subscriber did not see the end: \(subscriber.text.suffix(2000))")
        let epochs = subscriber.events.filter { $0["type"] as? String == "training.epoch" }.compactMap { $0["data"] as? [String: Any] }
        print("REAL epoch events: \(epochs.count), with metrics: \(epochs.filter { $0["metrics"] != nil }.count)")
        #expect(epochs.count == 40 && epochs.allSatisfy { $0["metrics"] != nil }, "\(epochs.count)")

        // The trained agent's dynamics test, on a labelling made in its session.
        let created = try t.client.send(
            "POST", base, headers: auth,
            json: [
                "dataset_name": "algorithmic_trading:BTC", "start_date": "2020-01-01", "end_date": "2021-01-01",
                "number_of_market_style": 3, "labeling_method": "quantile", "training_id": id,
            ])
        try #require(created.status == 202, "\(created.text)")
        let analysis = try #require(created.json["id"] as? Int)
        let labelled = try t.finished("\(base)/\(analysis)", auth, seconds: 300)
        try #require(labelled["status"] as? String == "succeeded", "\(labelled["error"] ?? "")")
        #expect(try t.client.send("POST", "\(base)/\(analysis)/save", headers: auth).status == 200)
        let test = try t.client.send("POST", "\(base)/\(analysis)/dynamics-test", headers: auth, json: ["label": 0])
        try #require(test.status == 202, "\(test.text)")
        let tested = try t.finished("\(base)/\(analysis)", auth, seconds: 900)
        print(
            "REAL dynamics test of the trained agent: \(tested["status"] ?? "") \(tested["error"] ?? "") \((tested["result"] as? [String: Any])?["dynamics_tests"] ?? "")"
        )
        #expect(["succeeded", "failed"].contains(tested["status"] as? String ?? ""))
    }
}
