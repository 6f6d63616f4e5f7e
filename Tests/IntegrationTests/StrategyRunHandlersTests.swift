import Foundation
import TestSupport
import Testing

/// Execute and stop through nginx with a real `tm worker`: a paper run stopped mid-way, bad
/// inputs naming their field, `Idempotency-Key` under concurrent retries, live-run conflicts.
@Suite(.serialized) struct StrategyRunHandlersTests {
    let sx: StrategyFixtures

    init() throws {
        sx = try StrategyFixtures()
    }

    func execute(_ id: Int, _ auth: [String: String], _ body: [String: Any]) throws -> TestResponse {
        try sx.client.send("POST", "/api/v1/strategies/\(id)/execute", headers: auth, json: body)
    }

    @Test func paperRunStoppedMidwayKeepsItsTradesAndTheStrategyLeavesActive() throws {
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, auth) = try sx.account()
        let dataset = try sx.upload(auth, text: DataFixtures.wideDaily(count: 400, seed: 9).text)
        let id = try #require(try sx.createStrategy(auth, parameters: ["fast": 3, "slow": 8])["id"] as? Int)
        // The whole backtest, for what the paper run must agree with bar for bar.
        let full = try execute(id, auth, ["dataset_id": dataset, "symbol": "AAA"])
        let fullID = try #require(full.json["id"] as? Int)
        try sx.poll(run: fullID, auth) { $0["status"] as? String == "succeeded" }
        let fullTrades = try #require(
            try sx.client.send("GET", "/api/v1/runs/\(fullID)/trades?limit=100", headers: auth).json["items"] as? [[String: Any]])

        let paper = try execute(id, auth, ["dataset_id": dataset, "symbol": "AAA", "mode": "paper", "bars_per_second": 40])
        #expect(paper.status == 202, "\(paper.text)")
        let runID = try #require(paper.json["id"] as? Int)
        #expect((paper.json["snapshot"] as? [String: Any])?["bars_per_second"] as? Double == 40)
        let live = try sx.poll(run: runID, auth) { ($0["bars_processed"] as? Int ?? 0) >= 120 }
        #expect(live["status"] as? String == "running" && (live["progress"] as? Double ?? 0) > 0)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["status"] as? String == "active")
        // A live run is not deleted, nor its strategy.
        #expect(try sx.client.send("DELETE", "/api/v1/runs/\(runID)", headers: auth).status == 409)
        #expect(try sx.client.send("DELETE", "/api/v1/strategies/\(id)", headers: auth).status == 409)

        let stop = try sx.client.send("POST", "/api/v1/strategies/\(id)/stop", headers: auth)
        #expect(stop.status == 200, "\(stop.text)")
        let stopped = try #require(stop.json["items"] as? [[String: Any]])
        #expect(stopped.compactMap { $0["id"] as? Int } == [runID])
        let run = try sx.poll(run: runID, auth, seconds: 10) { ($0["status"] as? String).map { $0 != "running" } ?? false }
        #expect(run["status"] as? String == "cancelled", "\(run)")
        let bars = try #require((run["summary"] as? [String: Any])?["bars"] as? Int)
        #expect(bars >= 120 && bars < 400, "stopped after \(bars) bars")
        #expect(run["bars_processed"] as? Int == bars && run["finished_at"] is String)
        let strategy = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json
        #expect(strategy["status"] as? String == "stopped")
        #expect((strategy["performance"] as? [String: Any])?["run_id"] as? Int == fullID)

        // The trades made so far: the full backtest's trades that had closed by then, and the
        // one open then (marked at that bar's close).
        let kept = try #require(try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=100", headers: auth).json["items"] as? [[String: Any]])
        let closedBefore = fullTrades.filter { ($0["exit_bar"] as? Int).map { $0 < bars } ?? false }
        #expect(!closedBefore.isEmpty)
        let keptClosed = kept.filter { $0["open"] as? Bool == false }
        #expect(keptClosed.count == closedBefore.count)
        for (mine, theirs) in zip(keptClosed, closedBefore) {
            #expect(
                mine["entry_time"] as? String == theirs["entry_time"] as? String && mine["exit_time"] as? String == theirs["exit_time"] as? String)
            #expect(mine["net_pnl"] as? Double == theirs["net_pnl"] as? Double && mine["shares"] as? Int == theirs["shares"] as? Int)
        }
        #expect(kept.count - keptClosed.count <= 1)
        let equity = try #require(
            try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?max_points=10000", headers: auth).json["points"] as? [[String: Any]])
        let fullEquity = try #require(
            try sx.client.send("GET", "/api/v1/runs/\(fullID)/equity?max_points=10000", headers: auth).json["points"] as? [[String: Any]])
        #expect(equity.count == bars)
        #expect(zip(equity, fullEquity).allSatisfy { $0["equity"] as? Double == $1["equity"] as? Double })

        // Stopping again stops nothing; a finished run can be deleted.
        let again = try sx.client.send("POST", "/api/v1/strategies/\(id)/stop", headers: auth)
        #expect(again.status == 200 && (again.json["items"] as? [Any])?.isEmpty == true)
        #expect(try sx.client.send("DELETE", "/api/v1/runs/\(runID)", headers: auth).status == 204)
    }

    @Test func badInputsNameTheField() throws {
        let (_, auth) = try sx.account()
        let (_, other) = try sx.account()
        let dataset = try sx.upload(auth, text: DataFixtures.wideDaily(count: 60).text, symbol: "SPY")
        let short = try sx.upload(auth, text: DataFixtures.wideDaily(count: 25).text, symbol: "SPY")
        let foreign = try sx.upload(other, text: DataFixtures.wideDaily(count: 60).text, symbol: "SPY")
        let id = try #require(try sx.createStrategy(auth, parameters: ["fast": 5, "slow": 30])["id"] as? Int)
        func expect(_ body: [String: Any], _ status: Int, _ pointer: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let response = try execute(id, auth, body)
            #expect(response.status == status, "\(body): \(response.text)", sourceLocation: sourceLocation)
            #expect(response.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
            #expect(StrategyFixtures.pointers(response).contains(pointer), "\(body): \(response.text)", sourceLocation: sourceLocation)
        }
        try expect(["symbol": "SPY"], 422, "/dataset_id")
        try expect(["dataset_id": 987_654_321, "symbol": "SPY"], 404, "/dataset_id")
        try expect(["dataset_id": foreign, "symbol": "SPY"], 404, "/dataset_id")
        try expect(["dataset_id": dataset, "symbol": "QQQ"], 422, "/symbol")
        try expect(["dataset_id": dataset, "symbols": ["QQQ"]], 422, "/symbols")
        try expect(["dataset_id": dataset, "symbols": ["SPY", "QQQ"]], 422, "/symbols")
        try expect(["dataset_id": dataset], 422, "/symbol")
        try expect(["dataset_id": dataset, "symbol": "SPY", "symbols": ["SPY"]], 422, "/symbols")
        try expect(["dataset_id": dataset, "symbol": "SPY", "start": "2020-03-01T00:00:00Z", "end": "2020-02-01T00:00:00Z"], 422, "/start")
        try expect(["dataset_id": short, "symbol": "SPY"], 422, "/dataset_id")
        try expect(["dataset_id": dataset, "symbol": "SPY", "start": "2020-03-01T00:00:00Z"], 422, "/dataset_id")
        try expect(["dataset_id": dataset, "symbol": "SPY", "mode": "live"], 422, "/mode")
        try expect(["dataset_id": dataset, "symbol": "SPY", "bars_per_second": 5], 422, "/bars_per_second")
        try expect(["dataset_id": dataset, "symbol": "SPY", "mode": "paper", "bars_per_second": 0], 422, "/bars_per_second")
        try expect(["dataset_id": dataset, "symbol": "SPY", "commission": 1], 422, "/commission")
        try expect(["dataset_id": dataset, "symbol": "SPY", "initial_capital": 0], 422, "/initial_capital")
        try expect(["dataset_id": dataset, "symbol": "SPY", "slippage_bps": -1], 422, "/slippage_bps")
        try expect(["dataset_id": dataset, "symbol": "SPY", "benchmark": ["dataset_id": foreign, "symbol": "SPY"]], 404, "/benchmark/dataset_id")
        try expect(["dataset_id": dataset, "symbol": "SPY", "benchmark": ["dataset_id": dataset, "symbol": "X"]], 422, "/benchmark/symbol")
        try expect(["dataset_id": dataset, "symbol": "SPY", "benchmark": ["dataset_id": dataset]], 422, "/benchmark/symbol")
        let shortText = try execute(id, auth, ["dataset_id": short, "symbol": "SPY"])
        #expect(shortText.text.contains("has 25 bars of SPY") && shortText.text.contains("slow=30"), "\(shortText.text)")
        #expect(
            try sx.client.send(
                "POST", "/api/v1/strategies/\(id)/execute", headers: auth.merging(["Content-Type": "text/plain"]) { $1 },
                body: Array("{}".utf8)
            ).status == 415)
        #expect(
            try sx.client.send(
                "POST", "/api/v1/strategies/\(id)/execute", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Array("[".utf8)
            ).status == 400)
        // Nothing was queued by any of them.
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)/runs", headers: auth).json["total"] as? Int == 0)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["status"] as? String == "draft")
        // A trademaster strategy is trained by the service, not executed here.
        let tm = try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: [
                "name": "tm", "strategy_type": "algorithmic_trading", "engine": "trademaster",
                "config": [
                    "task_name": "algorithmic_trading", "dataset_name": "BTC", "agent_name": "deepscalper", "optimizer_name": "adam",
                    "loss_name": "mse",
                ],
            ])
        let tmID = try #require(tm.json["id"] as? Int)
        #expect(try execute(tmID, auth, ["dataset_id": dataset, "symbol": "SPY"]).status == 409)
    }

    @Test func idempotencyKeyStartsOneRunUnderConcurrentRetries() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.upload(auth, text: DataFixtures.wideDaily(count: 60).text, symbol: "SPY")
        let id = try #require(try sx.createStrategy(auth, parameters: ["fast": 5, "slow": 20])["id"] as? Int)
        let body = Array(#"{"dataset_id": \#(dataset), "symbol": "SPY", "mode": "backtest"}"#.utf8)
        let key = UUID().uuidString
        let headers = auth.merging(["Content-Type": "application/json", "Idempotency-Key": key]) { $1 }
        func started() throws -> Int {
            let line = try sx.client.send("GET", "/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix("tm_runs_started_total{mode=\"backtest\"} ") }
            return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        let startedBefore = try started()
        let ids = LockedArray()
        let statuses = LockedArray()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let client = sx.stack.client()
            if let response = try? client.send("POST", "/api/v1/strategies/\(id)/execute", headers: headers, body: body) {
                statuses.append(response.status)
                ids.append(response.json["id"] as? Int ?? -1)
            }
        }
        #expect(statuses.values == Array(repeating: 202, count: 8), "\(statuses.values)")
        #expect(Set(ids.values).count == 1 && !ids.values.contains(-1), "\(ids.values)")
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)/runs", headers: auth).json["total"] as? Int == 1)
        #expect(
            try DataFixtures.sql(sx.stack, "SELECT count(*) FROM jobs WHERE kind = 'strategy.run' AND payload->>'run_id' = '\(ids.values[0])'") == "1"
        )
        let retry = try sx.client.send("POST", "/api/v1/strategies/\(id)/execute", headers: headers, body: body)
        #expect(retry.status == 202 && retry.json["id"] as? Int == ids.values[0] && retry.header("idempotent-replayed") == "true")
        #expect(retry.header("location") == "/api/v1/runs/\(ids.values[0])")
        // The same request in other words (key order, spacing, an escape) is the same request.
        let reworded = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: headers,
            body: Array(#"{ "mode" : "backtest",  "symbol":"\u0053PY", "dataset_id":\#(dataset) }"#.utf8))
        #expect(reworded.status == 202 && reworded.json["id"] as? Int == ids.values[0] && reworded.header("idempotent-replayed") == "true")
        let other = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: headers,
            body: Array(#"{"dataset_id": \#(dataset), "symbol": "SPY", "mode": "paper"}"#.utf8))
        #expect(other.status == 422 && StrategyFixtures.pointers(other) == ["Idempotency-Key"])
        let long = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute",
            headers: headers.merging(["Idempotency-Key": String(repeating: "k", count: 256)]) { $1 }, body: body)
        #expect(long.status == 422)
        // Without a key every request is a new run.
        let fresh = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: auth.merging(["Content-Type": "application/json"]) { $1 }, body: body)
        #expect(fresh.status == 202 && fresh.json["id"] as? Int != ids.values[0])
        // Two runs started (the keyed one once, the fresh one); replays and refusals count nothing.
        #expect(try started() == startedBefore + 2)
        // No worker runs here: stop cancels both queued runs at once.
        let stop = try sx.client.send("POST", "/api/v1/strategies/\(id)/stop", headers: auth)
        #expect(stop.status == 200)
        #expect((stop.json["items"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["cancelled", "cancelled"])
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["status"] as? String == "stopped")
    }
}
