import Foundation
import TestSupport
import Testing

/// `/api/v1/analysis/market-dynamics`: labelling with the service's defaults → the analysis
/// CSV → save → dynamics test of a trained agent → radar plot, run by a real worker against
/// the fake TradeMaster (which behaves as the real one: the nine labelling parameters are
/// required, the analysis is a base64 CSV, a labelling alone has no agent to test).
@Suite(.serialized) struct MarketDynamicsHandlersTests {
    let t: TrainingFixtures
    let base = "/api/v1/analysis/market-dynamics"

    init() throws {
        t = try TrainingFixtures()
    }

    /// The README's request: dataset, dates, styles and method only.
    var readmeRequest: [String: Any] {
        [
            "dataset_name": "algorithmic_trading:BTC", "start_date": "2020-01-01", "end_date": "2021-01-01",
            "number_of_market_style": 3, "labeling_method": "quantile",
        ]
    }

    func label(_ auth: [String: String], _ body: [String: Any]) throws -> (id: Int, done: [String: Any]) {
        let created = try t.client.send("POST", base, headers: auth, json: body)
        try #require(created.status == 202, "\(created.text)")
        let id = try #require(created.json["id"] as? Int)
        #expect(created.header("location") == "\(base)/\(id)")
        return (id, try t.finished("\(base)/\(id)", auth))
    }

    @Test func theReadmeRequestLabelsWithTheServicesDefaultsAndKeepsTheAnalysisCSV() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let (id, labelled) = try label(auth, readmeRequest.merging(["options": ["merging_threshold": 0.05]]) { $1 })
        try #require(labelled["status"] as? String == "succeeded", "\(labelled["error"] ?? "")")
        #expect(labelled["step"] as? String == "labeling")
        let result = try #require(labelled["result"] as? [String: Any])
        // The service's defaults for BTC (evaluation_getParameters), the option overriding one.
        let sent = try #require(result["parameters"] as? [String: Any])
        #expect(sent["min_length_limit"] as? String == "24" && sent["max_length_expectation"] as? String == "144")
        #expect(sent["tic"] as? String == "data" && sent["timestamp"] as? String == "date" && sent["key_indicator"] as? String == "adjcp")
        #expect(sent["merging_metric"] as? String == "DTW_distance" && sent["merging_dynamic_constraint"] as? Int == 1)
        #expect(sent["merging_threshold"] as? Double == 0.05 && sent["startDate"] as? String == "2020-01-01")
        #expect(result["visualization"] as? String == "\(base)/\(id)/images/visualization.png")
        let visualization = try t.client.send("GET", "\(base)/\(id)/images/visualization.png", headers: auth)
        #expect(
            visualization.status == 200 && visualization.header("content-type") == "image/png"
                && visualization.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        // The analysis as the service sent it (a CSV, one row per market dynamic), parsed.
        let analysis = try #require(result["analysis"] as? [String: Any])
        #expect(
            analysis["columns"] as? [String] == [
                "index", "average_k_list_mean", "average_k_list_std", "average_length_list_mean", "average_length_list_std",
            ])
        let rows = try #require(analysis["rows"] as? [[String: Any]])
        #expect(rows.count == 3 && rows.compactMap { $0["index"] as? Int } == [0, 1, 2])
        // The fake writes repr() of -0.01 + 0.01·k: the value must survive to the last bit.
        #expect(rows.compactMap { $0["average_k_list_mean"] as? Double } == [-0.01, -0.01 + 0.01, -0.01 + 0.02])
        let csv = try t.client.send("GET", try #require(analysis["csv"] as? String), headers: auth)
        #expect(csv.status == 200 && csv.header("content-type") == "text/csv; charset=utf-8", "\(csv.status)")
        #expect(csv.text.hasPrefix(",average_k_list_mean,average_k_list_std,") && csv.text.split(separator: "\n").count == 4, "\(csv.text)")
        let table = try t.client.send("GET", try #require(analysis["table"] as? String), headers: auth)
        #expect(table.status == 200 && table.header("content-type") == "image/svg+xml" && table.text.hasPrefix("<svg"))
        #expect(table.text.contains(">average_k_list_mean<") && table.text.contains(">-0.01<"), "\(table.text.prefix(800))")
        #expect(try t.client.send("GET", "\(base)/\(id)/images/analysis.png", headers: auth).status == 404)

        // A labelling alone has no agent: the dynamics test is refused up front, saying why.
        #expect(try t.client.send("POST", "\(base)/\(id)/save", headers: auth).status == 200)
        let refused = try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 1])
        #expect(refused.status == 409 && (refused.json["detail"] as? String ?? "").contains("without a trained agent"), "\(refused.text)")

        let (_, bobAuth) = try t.user()
        for path in ["", "/images/analysis.csv", "/images/analysis.svg", "/images/visualization.png"] {
            #expect(try t.client.send("GET", "\(base)/\(id)\(path)", headers: bobAuth).status == 404, "\(path)")
        }
        // A market-dynamics analysis is not a training, and the other way round.
        #expect(try t.client.send("GET", "/api/v1/training/\(id)", headers: auth).status == 404)
    }

    @Test func aTrainedAgentsLabellingIsSavedAndDynamicsTestedToItsRadarPlot() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.tradeMasterStrategy(auth)
        // A training that failed has no agent to label for.
        let crashing = try t.client.send(
            "POST", "/api/v1/training/start", headers: auth, json: ["strategy_id": strategy, "config": ["dataset_name": "algorithmic_trading:CRASH"]])
        let crashed = try #require(crashing.json["id"] as? Int)
        #expect(try t.finished("/api/v1/training/\(crashed)/status", auth)["status"] as? String == "failed")
        let early = try t.client.send("POST", base, headers: auth, json: readmeRequest.merging(["training_id": crashed]) { $1 })
        #expect(early.status == 422 && (early.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/training_id", "\(early.text)")
        let started = try t.client.send("POST", "/api/v1/training/start", headers: auth, json: ["strategy_id": strategy])
        try #require(started.status == 202, "\(started.text)")
        let training = try #require(started.json["id"] as? Int)
        let trained = try t.finished("/api/v1/training/\(training)/status", auth)
        try #require(trained["status"] as? String == "succeeded")
        let (id, labelled) = try label(auth, readmeRequest.merging(["training_id": training]) { $1 })
        try #require(labelled["status"] as? String == "succeeded", "\(labelled["error"] ?? "")")
        let result = try #require(labelled["result"] as? [String: Any])
        // Labelled in the training's session.
        #expect(result["session_id"] as? String == trained["session_id"] as? String && result["agent_training_id"] as? Int == training)

        // The service wants the labelling saved first.
        #expect(try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 1]).status == 409)
        let saved = try t.client.send("POST", "\(base)/\(id)/save", headers: auth)
        #expect(saved.status == 200 && saved.json["saved_at"] is String, "\(saved.text)")
        #expect(try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 3]).status == 422)
        let test = try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 1])
        #expect(test.status == 202 && test.json["step"] as? String == "dynamics_test", "\(test.text)")
        let tested = try t.finished("\(base)/\(id)", auth)
        #expect(tested["status"] as? String == "succeeded", "\(tested["error"] ?? "")")
        let testedResult = try #require(tested["result"] as? [String: Any])
        #expect(testedResult["visualization"] as? String == "\(base)/\(id)/images/visualization.png")
        let radarURL = try #require(((testedResult["dynamics_tests"] as? [String: Any])?["1"] as? [String: Any])?["radar_plot"] as? String)
        let radar = try t.client.send("GET", radarURL, headers: auth)
        #expect(radar.status == 200 && radar.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try t.client.send("GET", "\(base)/\(id)/images/radar_2.png", headers: auth).status == 404)

        // Someone else's training cannot be named.
        let (_, bobAuth) = try t.user()
        let foreign = try t.client.send("POST", base, headers: bobAuth, json: readmeRequest.merging(["training_id": training]) { $1 })
        #expect(foreign.status == 404, "\(foreign.text)")
        #expect(try t.client.send("GET", radarURL, headers: bobAuth).status == 404)
    }

    /// A dynamics test whose script exits at once (argparse's `unrecognized arguments`, no
    /// Traceback, no end flag, as the real service's run.py of a labelling-only session does)
    /// fails at once with that line, not after the stall time.
    @Test func aDynamicsTestThatExitsWithoutATracebackIsSeenToEnd() throws {
        let worker = try t.worker(["TM_TRADEMASTER_STALL_S": "600"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let (id, labelled) = try label(auth, readmeRequest)
        try #require(labelled["status"] as? String == "succeeded", "\(labelled["error"] ?? "")")
        #expect(try t.client.send("POST", "\(base)/\(id)/save", headers: auth).status == 200)
        // As if an agent were there (a service that lost it): the API lets the test start.
        _ = try t.sql("UPDATE training_jobs SET config = config || '{\"training_id\": 1}'::jsonb WHERE id = \(id) RETURNING id")
        let started = Date()
        let test = try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 0])
        try #require(test.status == 202, "\(test.text)")
        let done = try t.finished("\(base)/\(id)", auth)
        #expect(done["status"] as? String == "failed")
        let error = done["error"] as? String ?? ""
        #expect(
            error
                == "TradeMaster dynamics test exited without a result: run.py: error: unrecognized arguments: --task_name dynamics_test --test_dynamic 0",
            "\(error)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func badRequestsNameTheirFields() throws {
        let (_, auth) = try t.user()
        let bad = try t.client.send(
            "POST", base, headers: auth,
            json: [
                "dataset_name": "x", "start_date": "2021-01-01", "end_date": "2020-01-01", "number_of_market_style": 1, "labeling_method": "k",
            ])
        #expect(bad.status == 422)
        #expect(
            Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
                == ["/end_date", "/number_of_market_style", "/labeling_method"])
        #expect(try t.client.send("POST", base, headers: auth, json: readmeRequest.merging(["training_id": 987_654_321]) { $1 }).status == 404)
        let reserved = try t.client.send("POST", base, headers: auth, json: readmeRequest.merging(["options": ["training_id": 3]]) { $1 })
        #expect(reserved.status == 422 && (reserved.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/options/training_id")
    }
}
