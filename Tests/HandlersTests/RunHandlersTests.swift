import Foundation
import TestSupport
import Testing

/// `/api/v1/runs` in-process with a real `tm worker` on the suite's database: a backtest run's trades and equity
/// equal `tm backtest` on the same file, paging and downsampling, ownership, delete.
@Suite(.inProcess("runs"), .serialized) struct RunHandlersTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    /// Relative closeness for the numbers the API and the CLI print (both shortest round-trip
    /// decimal of the same doubles: they must agree to the last bit, 1e-12 leaves room only
    /// for the JSON parsers).
    static func close(_ a: Double?, _ b: Double?, tolerance: Double = 1e-12) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    @Test func backtestRunEqualsTheCommandLine() throws {
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try sx.createStrategy(auth, parameters: ["fast": 10, "slow": 30], trading: ["commission": 0.001])
        let id = try #require(strategy["id"] as? Int)
        // Lists before the run (the pool keeps these pages) must not hide what the run changes.
        for _ in 0..<4 { #expect(try sx.client.send("GET", "/api/v1/strategies", headers: auth).status == 200) }
        let executed = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: auth,
            json: ["dataset_id": dataset, "symbol": "AAA", "mode": "backtest"])
        #expect(executed.status == 202, "\(executed.text)")
        let runID = try #require(executed.json["id"] as? Int)
        #expect(executed.header("location") == "/api/v1/runs/\(runID)")
        #expect(["queued", "running", "succeeded"].contains(executed.json["status"] as? String ?? ""))
        let snapshot = try #require(executed.json["snapshot"] as? [String: Any])
        #expect(snapshot["kind"] as? String == "sma_crossover" && snapshot["version"] as? Int == 1)
        #expect(snapshot["parameters"] as? [String: Double] == ["fast": 10, "slow": 30])
        #expect((snapshot["trading"] as? [String: Any])?["commission"] as? Double == 0.001)

        let run = try sx.poll(run: runID, auth) { ($0["status"] as? String).map { ["succeeded", "failed"].contains($0) } ?? false }
        #expect(run["status"] as? String == "succeeded", "\(run)")
        #expect(run["progress"] as? Double == 1 && run["dataset_id"] as? Int == dataset && run["strategy_id"] as? Int == id)
        #expect(run["started_at"] is String && run["finished_at"] is String && run["error"] == nil)
        #expect(run["job_id"] is Int && run["symbols"] as? [String] == ["AAA"] && run["bars_processed"] as? Int == 500)

        // The same backtest by the command line, on the same file.
        let cli = try TestStack.run([
            sx.stack.binary, "backtest", "--csv", sx.fixtures + "/daily.csv", "--strategy", "sma_crossover",
            "--param", "fast=10", "--param", "slow=30", "--commission", "0.001", "--json",
        ])
        try #require(cli.status == 0, "\(cli.output.prefix(500))")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as? [String: Any])
        let referenceTrades = try #require(reference["trades"] as? [[String: Any]])
        let curve = try #require(reference["equity_curve"] as? [String: Any])
        let referenceEquity = try #require(curve["equity"] as? [Double])
        let referenceShares = try #require(curve["shares"] as? [Int])
        let referenceTimes = try #require(curve["time"] as? [String])

        let trades = try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=100", headers: auth)
        #expect(trades.status == 200)
        let items = try #require(trades.json["items"] as? [[String: Any]])
        #expect(trades.json["total"] as? Int == referenceTrades.count && items.count == referenceTrades.count && !items.isEmpty)
        for (mine, theirs) in zip(items, referenceTrades) {
            #expect((mine["entry_time"] as? String)?.prefix(10) == (theirs["entry_time"] as? String)?.prefix(10))
            #expect((mine["exit_time"] as? String)?.prefix(10) == (theirs["exit_time"] as? String)?.prefix(10))
            #expect(Self.close(mine["entry_price"] as? Double, theirs["entry_price"] as? Double))
            #expect(Self.close(mine["exit_price"] as? Double, theirs["exit_price"] as? Double))
            let shares = try #require(theirs["shares"] as? Int)
            #expect(mine["shares"] as? Int == abs(shares) && mine["side"] as? String == (shares > 0 ? "long" : "short"))
            #expect(Self.close(mine["net_pnl"] as? Double, theirs["pnl"] as? Double))
            #expect(Self.close(mine["commission"] as? Double, theirs["commission"] as? Double))
            #expect(Self.close(mine["gross_pnl"] as? Double, (theirs["pnl"] as? Double ?? 0) + (theirs["commission"] as? Double ?? 0)))
            #expect(Self.close(mine["return"] as? Double, theirs["return"] as? Double))
            #expect(mine["bars_held"] as? Int == theirs["bars_held"] as? Int && mine["open"] as? Bool == theirs["open"] as? Bool)
        }
        let equity = try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?max_points=10000", headers: auth)
        #expect(equity.status == 200)
        let points = try #require(equity.json["points"] as? [[String: Any]])
        #expect(equity.json["total_points"] as? Int == 500 && points.count == referenceEquity.count)
        var peak = -Double.infinity
        var worst = 0.0
        for (k, point) in points.enumerated() {
            #expect(Self.close(point["equity"] as? Double, referenceEquity[k]), "bar \(k)")
            #expect(point["position"] as? Int == referenceShares[k])
            #expect((point["time"] as? String)?.prefix(10) == referenceTimes[k].prefix(10))
            peak = max(peak, referenceEquity[k])
            #expect(Self.close(point["drawdown"] as? Double, referenceEquity[k] / peak - 1))
            worst = min(worst, point["drawdown"] as? Double ?? 0)
        }
        // And the backtesting.py reference (the fixture the Quant tests check) to 1e-9.
        let fixture = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sx.fixtures + "/backtest_daily_sma.json"))) as? [String: Any]
        )
        let fixtureEquity = try #require(fixture["equity"] as? [Double])
        #expect(zip(points, fixtureEquity).allSatisfy { Self.close($0["equity"] as? Double, $1, tolerance: 1e-9) })
        let summary = try #require(run["summary"] as? [String: Any])
        #expect(Self.close(summary["max_drawdown"] as? Double, fixture["max_drawdown"] as? Double, tolerance: 1e-9))
        #expect(Self.close(summary["max_drawdown"] as? Double, worst))
        #expect(Self.close(summary["sharpe"] as? Double, fixture["sharpe"] as? Double, tolerance: 1e-9))
        #expect(Self.close(summary["win_rate"] as? Double, fixture["win_rate"] as? Double))
        #expect(Self.close(summary["final_equity"] as? Double, referenceEquity.last))
        let metrics = try #require(run["metrics"] as? [String: Any])
        #expect(Self.close(metrics["sharpe"] as? Double, (reference["metrics"] as? [String: Any])?["sharpe"] as? Double))

        // The strategy shows the run's headline figures and leaves `active`.
        let after = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json
        #expect(after["status"] as? String == "stopped" && after["last_run_at"] is String)
        let performance = try #require(after["performance"] as? [String: Any])
        #expect(performance["run_id"] as? Int == runID && Self.close(performance["sharpe"] as? Double, summary["sharpe"] as? Double))
        #expect(Self.close(performance["total_return"] as? Double, referenceEquity.last! / 100_000 - 1))
        let listed = try #require((try sx.client.send("GET", "/api/v1/strategies", headers: auth).json["items"] as? [[String: Any]])?.first)
        #expect(NSDictionary(dictionary: listed) == NSDictionary(dictionary: after), "\(listed) vs \(after)")

        // Downsampling keeps the first and last bars; paging of trades.
        let few = try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?max_points=5", headers: auth)
        let fewPoints = try #require(few.json["points"] as? [[String: Any]])
        #expect(fewPoints.count == 5 && Self.close(fewPoints.last?["equity"] as? Double, referenceEquity.last))
        #expect((fewPoints.first?["time"] as? String)?.prefix(10) == referenceTimes.first?.prefix(10))
        let second = try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=2&offset=2", headers: auth)
        #expect((second.json["items"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [2, 3])
        #expect(second.json["total"] as? Int == referenceTrades.count)
        for bad in ["max_points=1", "max_points=10001", "max_points=x"] {
            let response = try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?\(bad)", headers: auth)
            #expect(response.status == 422 && StrategyFixtures.pointers(response) == ["max_points"])
        }
        #expect(try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=101", headers: auth).status == 422)

        // Lists and their filters.
        let list = try sx.client.send("GET", "/api/v1/runs?status=succeeded&mode=backtest", headers: auth)
        #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [runID])
        #expect(try sx.client.send("GET", "/api/v1/runs?mode=paper", headers: auth).json["total"] as? Int == 0)
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)/runs", headers: auth).json["total"] as? Int == 1)
        let badList = try sx.client.send("GET", "/api/v1/runs?status=done&mode=live", headers: auth)
        #expect(badList.status == 422 && Set(StrategyFixtures.pointers(badList)) == ["status", "mode"])

        // Editing the strategy does not change the past run's snapshot.
        #expect(try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["parameters": ["fast": 5, "slow": 50]]).status == 200)
        let again = try sx.client.send("GET", "/api/v1/runs/\(runID)", headers: auth).json
        #expect((again["snapshot"] as? [String: Any])?["parameters"] as? [String: Double] == ["fast": 10, "slow": 30])
    }

    @Test func ownershipAndDelete() throws {
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, alice) = try sx.account()
        let (_, bob) = try sx.account()
        let (_, admin) = try sx.account("admin")
        let dataset = try sx.uploadDaily(alice)
        let id = try #require(try sx.createStrategy(alice)["id"] as? Int)
        let executed = try sx.client.send("POST", "/api/v1/strategies/\(id)/execute", headers: alice, json: ["dataset_id": dataset, "symbol": "AAA"])
        #expect(executed.status == 202, "\(executed.text)")
        let runID = try #require(executed.json["id"] as? Int)
        try sx.poll(run: runID, alice) { $0["status"] as? String == "succeeded" }
        for path in ["/api/v1/runs/\(runID)", "/api/v1/runs/\(runID)/trades", "/api/v1/runs/\(runID)/equity", "/api/v1/runs/88888888"] {
            #expect(try sx.client.send("GET", path, headers: bob).status == 404, "\(path)")
        }
        #expect(try sx.client.send("DELETE", "/api/v1/runs/\(runID)", headers: bob).status == 404)
        #expect(try sx.client.send("GET", "/api/v1/runs", headers: bob).json["total"] as? Int == 0)
        // Bob cannot run Alice's strategy, nor his own on Alice's dataset.
        let bobs = try #require(try sx.createStrategy(bob)["id"] as? Int)
        let foreign = try sx.client.send("POST", "/api/v1/strategies/\(bobs)/execute", headers: bob, json: ["dataset_id": dataset, "symbol": "AAA"])
        #expect(foreign.status == 404 && StrategyFixtures.pointers(foreign) == ["/dataset_id"])
        #expect(try sx.client.send("GET", "/api/v1/runs/\(runID)", headers: admin).status == 200)
        // A viewer reads but does not delete.
        let (_, viewer) = try sx.account("viewer")
        #expect(try sx.client.send("DELETE", "/api/v1/runs/\(runID)", headers: viewer).status == 403)
        #expect(try sx.client.send("DELETE", "/api/v1/runs/\(runID)", headers: alice).status == 204)
        #expect(try sx.client.send("GET", "/api/v1/runs/\(runID)", headers: alice).status == 404)
        #expect(try sx.fx.sql("SELECT count(*) FROM run_trades WHERE run_id = \(runID)") == "0")
        #expect(try sx.fx.sql("SELECT count(*) FROM run_series WHERE run_id = \(runID)") == "0")
    }
}
