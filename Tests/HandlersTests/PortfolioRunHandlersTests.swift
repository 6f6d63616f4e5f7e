import Foundation
import TestSupport
import Testing

/// Portfolio strategies in-process with a real `tm worker` on the suite's database: the kinds catalogue, a
/// `portfolio_management` strategy executed on a long-layout upload of the Quant fixture
/// `portfolio.csv`, its equity equal to the numpy reference (`portfolio_backtests.json`,
/// scripts/quant-reference/generate_analysis.py) to 1e-9 relative, and bad inputs naming
/// their field.
@Suite(.inProcess("portfolio_runs"), .serialized) struct PortfolioRunHandlersTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    /// Uploads the fixture `portfolio.csv` (long layout: date, tic, OHLCV); returns the dataset's id.
    func uploadPortfolio(_ auth: [String: String]) throws -> Int {
        let text = try String(contentsOfFile: sx.fixtures + "/portfolio.csv", encoding: .utf8)
        let response = try sx.client.send(
            "POST", "/api/v1/data/upload?name=\(AuthFixtures.uniqueName("port"))",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        try #require(response.status == 201, "upload: \(response.status) \(response.text)")
        #expect(response.json["layout"] as? String == "long")
        return try #require(response.json["id"] as? Int)
    }

    /// The reference case `name` of `portfolio_backtests.json`.
    func reference(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: sx.fixtures + "/portfolio_backtests.json"))
        let all = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
        return try #require(all.first { $0["name"] as? String == name })
    }

    /// Creates a portfolio strategy; returns the whole response.
    func create(
        _ auth: [String: String], kind: String, parameters: [String: Any], trading: [String: Any] = [:],
        type: String = "portfolio_management"
    ) throws -> TestResponse {
        try sx.client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: [
                "name": AuthFixtures.uniqueName("p"), "strategy_type": type, "engine": "builtin", "kind": kind,
                "parameters": parameters, "trading": trading,
            ])
    }

    @Test func theKindsListThePortfolioKindsWithTheirChoices() throws {
        let (_, auth) = try sx.account()
        let kinds = try #require(try sx.client.send("GET", "/api/v1/strategies/kinds", headers: auth).json["items"] as? [[String: Any]])
        let equal = try #require(kinds.first { $0["name"] as? String == "equal_weight" })
        #expect(equal["strategy_type"] as? String == "portfolio_management")
        let rebalance = try #require((equal["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "rebalance" })
        #expect(rebalance["type"] as? String == "choice" && rebalance["choices"] as? [String] == ["daily", "weekly", "monthly", "bars"])
        #expect(rebalance["default_choice"] as? String == "monthly")
        #expect(kinds.contains { $0["name"] as? String == "portfolio_sma_crossover" })
        let single = try #require(kinds.first { $0["name"] as? String == "sma_crossover" })
        #expect(!(single["strategy_type"] is String))
    }

    @Test(arguments: ["inverse_volatility_weekly", "signal_sma_short_bars"])
    func aPortfolioRunEqualsTheNumpyReference(name: String) throws {
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, auth) = try sx.account()
        let dataset = try uploadPortfolio(auth)
        let ref = try reference(name)
        let created = try create(
            auth, kind: try #require(ref["kind"] as? String), parameters: try #require(ref["parameters"] as? [String: Any]),
            trading: [
                "initial_capital": try #require(ref["cash"]), "commission": try #require(ref["commission"]),
                "slippage_bps": try #require(ref["slippage_bps"]), "allow_short": ref["allow_short"] as? Bool ?? false,
            ])
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? Int)
        let execute = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: auth,
            json: ["dataset_id": dataset, "symbols": ["AAA", "BBB", "CCC"]])
        #expect(execute.status == 202, "\(execute.text)")
        #expect(execute.json["symbols"] as? [String] == ["AAA", "BBB", "CCC"])
        let runID = try #require(execute.json["id"] as? Int)
        let run = try sx.poll(run: runID, auth) { ($0["status"] as? String).map { ["succeeded", "failed"].contains($0) } ?? false }
        #expect(run["status"] as? String == "succeeded", "\(run)")

        // Equity bar for bar, within 1e-9 relative of the reference.
        let expected = (ref["equity"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
        let points = try #require(
            try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?max_points=10000", headers: auth).json["points"] as? [[String: Any]])
        #expect(points.count == expected.count && !expected.isEmpty)
        let worst = zip(points, expected).map { abs(($0["equity"] as? Double ?? .nan) - $1) / abs($1) }.max() ?? .nan
        #expect(worst <= 1e-9, "largest relative difference \(worst)")
        // Position is the gross exposure in money: zero before the first fill, positive after.
        #expect(points.first?["position"] as? Int == 0 && (points.last?["position"] as? Int ?? 0) > 0)
        let summary = try #require(run["summary"] as? [String: Any])
        let cost = try #require((ref["total_cost"] as? NSNumber)?.doubleValue)
        #expect(abs((summary["total_commission"] as? Double ?? .nan) - cost) <= 1e-6, "\(summary)")
        #expect(abs((summary["final_equity"] as? Double ?? .nan) - expected.last!) <= 1e-9 * expected.last!)

        // The holdings between rebalances, each row one symbol's.
        let trades = try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=100", headers: auth)
        let items = try #require(trades.json["items"] as? [[String: Any]])
        #expect((trades.json["total"] as? Int ?? 0) > 0)
        #expect(Set(items.compactMap { $0["symbol"] as? String }).isSubset(of: ["AAA", "BBB", "CCC"]))
        #expect(items.allSatisfy { ($0["shares"] as? Int ?? 0) >= 1 })
        let strategy = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json
        #expect((strategy["performance"] as? [String: Any])?["run_id"] as? Int == runID)
    }

    /// The stored holdings (binary COPY) against the reference: one row per symbol held
    /// between two fills, entered at a fill of the reference and exited at the next one (its
    /// date as the time), the last fill's rows open with the reference's final shares, the
    /// commissions adding up to its total cost.
    @Test func theStoredHoldingsAreTheReferenceFills() throws {
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, auth) = try sx.account()
        let dataset = try uploadPortfolio(auth)
        let ref = try reference("signal_sma_short_bars")
        let created = try create(
            auth, kind: try #require(ref["kind"] as? String), parameters: try #require(ref["parameters"] as? [String: Any]),
            trading: [
                "initial_capital": try #require(ref["cash"]), "commission": try #require(ref["commission"]),
                "slippage_bps": try #require(ref["slippage_bps"]), "allow_short": ref["allow_short"] as? Bool ?? false,
            ])
        let id = try #require(created.json["id"] as? Int)
        let execute = try sx.client.send(
            "POST", "/api/v1/strategies/\(id)/execute", headers: auth, json: ["dataset_id": dataset, "symbols": ["AAA", "BBB", "CCC"]])
        let runID = try #require(execute.json["id"] as? Int)
        let run = try sx.poll(run: runID, auth) { ($0["status"] as? String).map { ["succeeded", "failed"].contains($0) } ?? false }
        try #require(run["status"] as? String == "succeeded", "\(run)")

        var items: [[String: Any]] = []
        var total = 0
        repeat {
            let page = try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=100&offset=\(items.count)", headers: auth)
            try #require(page.status == 200, "\(page.text)")
            total = page.json["total"] as? Int ?? 0
            let more = page.json["items"] as? [[String: Any]] ?? []
            try #require(!more.isEmpty || items.count == total)
            items += more
        } while items.count < total
        let fills = (ref["fills"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
        try #require(!fills.isEmpty)
        let file = try Data(contentsOf: URL(fileURLWithPath: sx.fixtures + "/portfolio_backtests.json"))
        let dates = try #require((try JSONSerialization.jsonObject(with: file) as? [String: Any])?["dates"] as? [String])
        let finalShares = (ref["final_shares"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
        let symbols = ["AAA", "BBB", "CCC"]
        #expect(!items.isEmpty && items.map { $0["seq"] as? Int ?? -1 } == Array(items.indices))
        for item in items {
            let entry = try #require(item["entry_bar"] as? Int)
            try #require(dates.indices.contains(entry))
            let k = try #require(fills.firstIndex(of: entry), "entry \(entry) is not a fill")
            #expect(item["entry_time"] as? String == dates[entry] + "T00:00:00Z", "\(item)")
            let gross = item["gross_pnl"] as? Double ?? .nan
            let net = item["net_pnl"] as? Double ?? .nan
            let commission = item["commission"] as? Double ?? .nan
            #expect(abs(gross - net - commission) <= 1e-9 * max(1, abs(gross)), "\(item)")
            if k + 1 < fills.count {
                #expect(item["exit_bar"] as? Int == fills[k + 1] && item["open"] as? Bool == false, "\(item)")
                #expect(item["exit_time"] as? String == dates[fills[k + 1]] + "T00:00:00Z", "\(item)")
            } else {
                #expect(!(item["exit_bar"] is Int) && !(item["exit_time"] is String) && item["open"] as? Bool == true, "\(item)")
            }
        }
        // The open rows are the last fill's holdings: the reference's final shares.
        let open = items.filter { $0["open"] as? Bool == true }
        let held = symbols.indices.filter { abs(finalShares[$0]) > 1e-12 }
        #expect(open.compactMap { $0["symbol"] as? String } == held.map { symbols[$0] })
        for (item, i) in zip(open, held) {
            #expect(item["side"] as? String == (finalShares[i] > 0 ? "long" : "short"), "\(item)")
            #expect(item["shares"] as? Int == max(1, Int(abs(finalShares[i]).rounded())), "\(item)")
        }
        let cost = try #require((ref["total_cost"] as? NSNumber)?.doubleValue)
        let paid = items.reduce(0.0) { $0 + ($1["commission"] as? Double ?? .nan) }
        #expect(abs(paid - cost) <= 1e-6, "commissions \(paid), reference total cost \(cost)")
        // Deleting the strategy deletes its run and the run's holdings (a trigger, not a foreign key).
        #expect(try sx.fx.sql("SELECT count(*) FROM run_trades WHERE run_id = \(runID)") == "\(items.count)")
        #expect(try sx.client.send("DELETE", "/api/v1/strategies/\(id)", headers: auth).status == 204)
        #expect(try sx.fx.sql("SELECT count(*) FROM run_trades WHERE run_id = \(runID)") == "0")
    }

    @Test func badPortfolioInputsNameTheField() throws {
        let (_, auth) = try sx.account()
        let dataset = try uploadPortfolio(auth)
        func pointers(_ response: TestResponse, _ status: Int = 422) -> [String] {
            #expect(response.status == status, "\(response.text)")
            #expect(response.header("content-type") == "application/problem+json")
            return StrategyFixtures.pointers(response)
        }
        // The strategy: a portfolio kind needs the portfolio type; a choice is one of its names.
        #expect(pointers(try create(auth, kind: "equal_weight", parameters: [:], type: "algorithmic_trading")) == ["/strategy_type"])
        #expect(pointers(try create(auth, kind: "equal_weight", parameters: ["rebalance": "hourly"])) == ["/parameters/rebalance"])
        #expect(pointers(try create(auth, kind: "equal_weight", parameters: ["rebalance": 2])) == ["/parameters/rebalance"])
        #expect(pointers(try create(auth, kind: "inverse_volatility", parameters: ["lookback": 1])) == ["/parameters/lookback"])
        let made = try create(auth, kind: "equal_weight", parameters: ["rebalance": "weekly"])
        #expect(made.status == 201, "\(made.text)")
        let id = try #require(made.json["id"] as? Int)
        // A PATCH that leaves the kind keeps the choice valid (stored as its index).
        let patched = try sx.client.send("PATCH", "/api/v1/strategies/\(id)", headers: auth, json: ["description": "weekly 1/N"])
        #expect(patched.status == 200, "\(patched.text)")
        // The run: two or more of the dataset's symbols, backtest only.
        func execute(_ body: [String: Any]) throws -> TestResponse {
            try sx.client.send("POST", "/api/v1/strategies/\(id)/execute", headers: auth, json: body)
        }
        #expect(pointers(try execute(["dataset_id": dataset, "symbols": ["AAA"]])) == ["/symbols"])
        #expect(pointers(try execute(["dataset_id": dataset, "symbol": "AAA"])) == ["/symbols"])
        #expect(pointers(try execute(["dataset_id": dataset, "symbols": ["AAA", "ZZZ"]])) == ["/symbols"])
        #expect(pointers(try execute(["dataset_id": dataset, "symbols": ["AAA", "AAA"]])) == ["/symbols"])
        #expect(pointers(try execute(["dataset_id": dataset, "symbols": ["AAA", "BBB"], "mode": "paper"])) == ["/mode"])
        // The synchronous analysis backtest is single-symbol.
        let inline = try sx.client.send(
            "POST", "/api/v1/analysis/backtest", headers: auth,
            json: [
                "strategy": ["kind": "equal_weight"], "dataset_id": dataset, "symbols": ["AAA", "BBB"],
            ])
        #expect(pointers(inline) == ["/strategy/kind"])
        // Nothing was queued.
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)/runs", headers: auth).json["total"] as? Int == 0)
    }
}
