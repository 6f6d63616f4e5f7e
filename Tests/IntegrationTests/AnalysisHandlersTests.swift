import Foundation
import TestSupport
import Testing

/// The analysis routes and the tear sheet through nginx: a backtest answered in the request
/// (and queued above TM_SYNC_MAX_BARS, run by a real `tm worker`), performance equal to
/// `tm metrics` on the run's equity, risk, compare, bad inputs, other users' objects.
@Suite(.serialized) struct AnalysisHandlersTests {
    let sx: StrategyFixtures

    init() throws {
        sx = try StrategyFixtures()
    }

    /// POST /analysis/backtest of an inline SMA crossover on `dataset`.
    func backtest(_ auth: [String: String], dataset: Int, client: (any TestClient)? = nil, extra: [String: Any] = [:]) throws -> TestResponse {
        var body: [String: Any] = [
            "strategy": ["kind": "sma_crossover", "parameters": ["fast": 10, "slow": 30]],
            "dataset_id": dataset, "symbol": "AAA", "commission": 0.001,
        ]
        body.merge(extra) { $1 }
        return try (client ?? sx.client).send("POST", "/api/v1/analysis/backtest", headers: auth, json: body)
    }

    /// `tm metrics --json` of a CSV of (time, value) rows.
    func tmMetrics(times: [String], values: [Double], name: String) throws -> [String: Any] {
        let path = NSTemporaryDirectory() + "tm-analysis-\(UUID().uuidString)-\(name).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = zip(times, values).map { "\($0),\($1)" }.joined(separator: "\n")
        try ("date,close\n" + rows + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let out = try TestStack.run([sx.stack.binary, "metrics", "--csv", path, "--json"])
        try #require(out.status == 0, "\(out.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any])
    }

    /// Expects every number of `reference` (tm metrics' keys) in `metrics` within 1e-9 relative.
    func expectSameMetrics(_ metrics: [String: Any], _ reference: [String: Any], _ what: String) {
        let keys = [
            "cumulative_return", "annual_return", "annual_volatility", "sharpe", "sortino", "calmar", "omega", "tail_ratio",
            "stability", "downside_risk", "max_drawdown", "value_at_risk_95", "conditional_value_at_risk_95", "return_count",
        ]
        for key in keys {
            #expect(Self.close(metrics[key], reference[key]), "\(what) \(key): \(metrics[key] ?? "nil") vs \(reference[key] ?? "nil")")
        }
        let tm = metrics["trademaster"] as? [String: Any] ?? [:]
        let ref = reference["trademaster"] as? [String: Any] ?? [:]
        #expect(ref.count == 6)
        for (key, value) in ref { #expect(Self.close(tm[key], value), "\(what) trademaster \(key)") }
        let drawdown = metrics["drawdown"] as? [String: Any] ?? [:]
        let refDrawdown = reference["drawdown"] as? [String: Any] ?? [:]
        #expect(drawdown["duration_bars"] as? Int == refDrawdown["duration_bars"] as? Int)
    }

    /// Equal within 1e-9 relative; two JSON nulls (an undefined figure on both sides) are
    /// equal, a key missing on either side never is.
    static func close(_ a: Any?, _ b: Any?) -> Bool {
        switch (a as? Double, b as? Double) {
        case (let x?, let y?): return abs(x - y) <= max(1e-9 * abs(y), 1e-15)
        default: return a is NSNull && b is NSNull
        }
    }

    @Test func aBacktestIsAnsweredAndItsPerformanceEqualsTmMetricsOnItsEquity() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let response = try backtest(auth, dataset: dataset)
        #expect(response.status == 200, "\(response.text)")
        let runID = try #require(response.json["run_id"] as? Int)
        #expect((response.json["run"] as? [String: Any])?["status"] as? String == "succeeded")
        // The same trades as backtesting.py's reference (fixture backtest_daily_sma).
        let reference = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: sx.fixtures + "/backtest_daily_sma.json"))) as? [String: Any])
        let refTrades = try #require(reference["trades"] as? [[String: Any]])
        let trades = try #require(response.json["trades"] as? [[String: Any]])
        #expect(
            trades.filter { $0["open"] as? Bool == false }.compactMap { $0["entry_bar"] as? Int } == refTrades.compactMap { $0["entry_bar"] as? Int })
        #expect((response.json["trade_statistics"] as? [String: Any])?["count"] as? Int == refTrades.count)
        #expect((response.json["equity"] as? [Any])?.count == 500)
        // The answer's trades (built from the backtest in memory) are the stored ones, read back.
        let stored = try sx.client.send("GET", "/api/v1/runs/\(runID)/trades?limit=100", headers: auth)
        #expect(stored.status == 200 && (stored.json["total"] as? Int) == trades.count && trades.count >= 2)
        #expect((stored.json["items"] as? [[String: Any]]).map { NSArray(array: $0) } == NSArray(array: trades))

        // analysis/performance of the run equals `tm metrics` on its stored equity.
        let equity = try #require(
            try sx.client.send("GET", "/api/v1/runs/\(runID)/equity?max_points=10000", headers: auth)
                .json["points"] as? [[String: Any]])
        #expect(equity.count == 500)
        let tm = try tmMetrics(times: equity.compactMap { $0["time"] as? String }, values: equity.compactMap { $0["equity"] as? Double }, name: "run")
        let performance = try sx.client.send("GET", "/api/v1/analysis/performance?run_id=\(runID)", headers: auth)
        #expect(performance.status == 200, "\(performance.text)")
        let metrics = try #require(performance.json["metrics"] as? [String: Any])
        expectSameMetrics(metrics, tm, "run")
        let stats = try #require(performance.json["trade_statistics"] as? [String: Any])
        #expect(stats["count"] as? Int == refTrades.count && stats["open_trades"] as? Int == 1)
        let months = try #require(performance.json["monthly_returns"] as? [[String: Any]])
        #expect(months.count >= 20 && (performance.json["yearly_returns"] as? [Any])?.count == 2)

        // A dataset's prices: the same as tm metrics on the uploaded file.
        let prices = try sx.client.send("GET", "/api/v1/analysis/performance?dataset_id=\(dataset)&symbol=AAA", headers: auth)
        #expect(prices.status == 200, "\(prices.text)")
        let file = try String(contentsOfFile: sx.fixtures + "/daily.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let fileRows = file.map { $0.split(separator: ",") }
        let tmFile = try tmMetrics(times: fileRows.map { String($0[0]) }, values: fileRows.compactMap { Double($0[4]) }, name: "file")
        expectSameMetrics(try #require(prices.json["metrics"] as? [String: Any]), tmFile, "dataset")
        #expect(prices.json["trade_statistics"] == nil)

        // A strategy's latest succeeded run, with a benchmark: alpha and beta appear.
        let strategy = try #require(try sx.createStrategy(auth, parameters: ["fast": 10, "slow": 30], trading: ["commission": 0.001])["id"] as? Int)
        let byStrategy = try sx.client.send(
            "POST", "/api/v1/analysis/backtest", headers: auth,
            json: ["strategy_id": strategy, "dataset_id": dataset, "symbol": "AAA"])
        #expect(byStrategy.status == 200, "\(byStrategy.text)")
        let latest = try sx.client.send(
            "GET", "/api/v1/analysis/performance?strategy_id=\(strategy)&benchmark_dataset_id=\(dataset)",
            headers: auth)
        #expect(latest.status == 200, "\(latest.text)")
        #expect((latest.json["source"] as? [String: Any])?["run_id"] as? Int == byStrategy.json["run_id"] as? Int)
        let withBench = try #require(latest.json["metrics"] as? [String: Any])
        #expect(withBench["beta"] is Double && withBench["benchmark_aligned_returns"] as? Int == 499)
        expectSameMetrics(withBench, tm, "strategy's run")
    }

    @Test func riskAndCompareOfRuns() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let a = try #require(try backtest(auth, dataset: dataset).json["run_id"] as? Int)
        let b = try #require(
            try backtest(auth, dataset: dataset, extra: ["strategy": ["kind": "ema_crossover", "parameters": [:] as [String: Any]]])
                .json["run_id"] as? Int)
        let risk = try sx.client.send(
            "GET", "/api/v1/analysis/risk?run_id=\(a)&benchmark_dataset_id=\(dataset)&window=20&max_points=100", headers: auth)
        #expect(risk.status == 200, "\(risk.text)")
        let vars = try #require(risk.json["value_at_risk"] as? [[String: Any]])
        #expect(vars.count == 6 && Set(vars.compactMap { $0["method"] as? String }) == ["historical", "gaussian", "cornish_fisher"])
        #expect(vars.allSatisfy { ($0["value"] as? Double ?? 0) < 0 })
        #expect((risk.json["conditional_value_at_risk"] as? [Any])?.count == 2)
        let drawdowns = try #require(risk.json["worst_drawdowns"] as? [[String: Any]])
        // At most five (pyfolio's method stops when nothing is under water any more).
        #expect((1...5).contains(drawdowns.count), "\(drawdowns.count) drawdowns")
        let depths = drawdowns.compactMap { $0["depth"] as? Double }
        #expect(depths == depths.sorted() && depths.allSatisfy { $0 < 0 })
        let rolling = try #require(risk.json["rolling_volatility"] as? [String: Any])
        #expect((rolling["value"] as? [Any])?.count == 100 && rolling["window"] as? Int == 20)
        #expect(risk.json["skewness"] is Double && risk.json["kurtosis"] is Double && risk.json["beta"] is Double)
        // The maximum drawdown of performance is the deepest of risk's.
        let performance = try sx.client.send("GET", "/api/v1/analysis/performance?run_id=\(a)", headers: auth)
        #expect(Self.close((performance.json["metrics"] as? [String: Any])?["max_drawdown"], depths.first))

        let compare = try sx.client.send("POST", "/api/v1/analysis/compare", headers: auth, json: ["run_ids": [a, b]])
        #expect(compare.status == 200, "\(compare.text)")
        let runs = try #require(compare.json["runs"] as? [[String: Any]])
        #expect(runs.compactMap { $0["run_id"] as? Int } == [a, b])
        let correlation = try #require(compare.json["correlation"] as? [String: Any])
        let matrix = try #require(correlation["matrix"] as? [[Double]])
        #expect(matrix.count == 2 && Self.close(matrix[0][0], 1.0) && Self.close(matrix[0][1], matrix[1][0]))
        #expect(abs(matrix[0][1]) <= 1 && correlation["aligned_returns"] as? Int == 499)
    }

    @Test func badInputsNameTheFieldAndOtherUsersObjectsAre404() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let run = try #require(try backtest(auth, dataset: dataset).json["run_id"] as? Int)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        let queries: [(String, Int, String)] = [
            ("performance", 422, "run_id"), ("performance?run_id=abc", 422, "run_id"),
            ("performance?run_id=\(run)&dataset_id=\(dataset)", 422, "dataset_id"), ("performance?symbol=AAA&run_id=\(run)", 422, "symbol"),
            ("performance?dataset_id=\(dataset)&symbol=ZZZ", 422, "symbol"),
            ("performance?run_id=\(run)&periods_per_year=0", 422, "periods_per_year"),
            ("performance?run_id=\(run)&benchmark_symbol=AAA", 422, "benchmark_symbol"), ("risk?run_id=\(run)&window=1", 422, "window"),
            ("risk?run_id=\(run)&max_points=1", 422, "max_points"), ("performance?strategy_id=\(strategy)", 409, "strategy_id"),
            ("performance?run_id=999999999", 404, "run_id"), ("risk?dataset_id=999999999", 404, "dataset_id"),
            ("performance?run_id=\(run)&benchmark_run_id=999999999", 404, "benchmark_run_id"),
        ]
        for (path, status, pointer) in queries {
            let response = try sx.client.send("GET", "/api/v1/analysis/\(path)", headers: auth)
            #expect(response.status == status, "\(path): \(response.status) \(response.text)")
            #expect(StrategyFixtures.pointers(response).contains(pointer), "\(path): \(response.text)")
        }
        let bodies: [([String: Any], Int, String)] = [
            (["strategy": ["kind": "nope"], "dataset_id": dataset, "symbol": "AAA"], 422, "/strategy/kind"),
            (
                ["strategy": ["kind": "sma_crossover", "parameters": ["fast": 1]], "dataset_id": dataset, "symbol": "AAA"], 422,
                "/strategy/parameters/fast"
            ),
            (
                ["strategy": ["kind": "sma_crossover", "parameters": ["fast": 40, "slow": 30]], "dataset_id": dataset, "symbol": "AAA"], 422,
                "/strategy/parameters/fast"
            ),
            (["strategy": ["kind": "sma_crossover"], "dataset_id": 999_999_999, "symbol": "AAA"], 404, "/dataset_id"),
            (["strategy": ["kind": "sma_crossover"], "dataset_id": dataset, "symbol": "ZZZ"], 422, "/symbol"),
            (
                [
                    "strategy": ["kind": "sma_crossover"], "dataset_id": dataset, "symbol": "AAA", "start": "2022-01-01T00:00:00Z",
                    "end": "2021-01-01T00:00:00Z",
                ], 422, "/start"
            ),
            (
                ["strategy": ["kind": "sma_crossover", "parameters": ["fast": 10, "slow": 600]], "dataset_id": dataset, "symbol": "AAA"], 422,
                "/dataset_id"
            ),
            (["dataset_id": dataset, "symbol": "AAA"], 422, "/strategy_id"),
            (["strategy_id": strategy, "strategy": ["kind": "sma_crossover"], "dataset_id": dataset, "symbol": "AAA"], 422, "/strategy"),
            (["strategy": ["kind": "sma_crossover"], "dataset_id": dataset, "symbol": "AAA", "commission": 2], 422, "/commission"),
        ]
        for (body, status, pointer) in bodies {
            let response = try sx.client.send("POST", "/api/v1/analysis/backtest", headers: auth, json: body)
            #expect(response.status == status, "\(body): \(response.status) \(response.text)")
            #expect(StrategyFixtures.pointers(response).contains(pointer), "\(body): \(response.text)")
        }
        let compare = try sx.client.send("POST", "/api/v1/analysis/compare", headers: auth, json: ["run_ids": [run]])
        #expect(compare.status == 422 && StrategyFixtures.pointers(compare) == ["/run_ids"])
        #expect(try sx.client.send("GET", "/api/v1/runs/\(run)/equity.svg?width=10", headers: auth).status == 422)

        // Another user sees none of it.
        let (_, other) = try sx.account()
        let otherDataset = try sx.uploadDaily(other)
        let otherRun = try #require(try backtest(other, dataset: otherDataset).json["run_id"] as? Int)
        for path in [
            "/api/v1/analysis/performance?run_id=\(run)", "/api/v1/analysis/risk?run_id=\(run)",
            "/api/v1/analysis/performance?strategy_id=\(strategy)", "/api/v1/analysis/risk?dataset_id=\(dataset)",
            "/api/v1/analysis/performance?run_id=\(otherRun)&benchmark_run_id=\(run)",
            "/api/v1/runs/\(run)/report.html", "/api/v1/runs/\(run)/equity.svg",
        ] {
            #expect(try sx.client.send("GET", path, headers: other).status == 404, "\(path)")
        }
        #expect(try sx.client.send("POST", "/api/v1/analysis/compare", headers: other, json: ["run_ids": [otherRun, run]]).status == 404)
        #expect(
            try sx.client.send(
                "POST", "/api/v1/analysis/backtest", headers: other,
                json: ["strategy_id": strategy, "dataset_id": otherDataset, "symbol": "AAA"]
            ).status == 404)
        #expect(try backtest(other, dataset: dataset).status == 404)
        // A viewer reads but cannot backtest.
        let (_, viewer) = try sx.account("viewer")
        #expect(try backtest(viewer, dataset: dataset).status == 403)
    }

    @Test func aLargeBacktestIsQueuedAndRunByAWorker() throws {
        let pool = try PrivatePool(stack: sx.stack, workers: 1, threads: 2, environment: ["TM_SYNC_MAX_BARS": "100"])
        defer { pool.stop() }
        let worker = try sx.worker()
        defer { worker.stop() }
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let response = try backtest(auth, dataset: dataset, client: TestHTTPClient(port: pool.port))
        #expect(response.status == 202, "\(response.text)")
        let runID = try #require(response.json["run_id"] as? Int)
        #expect(response.header("location") == "/api/v1/runs/\(runID)" && response.json["trades"] == nil)
        try sx.poll(run: runID, auth) { $0["status"] as? String == "succeeded" }
        let synchronous = try #require(try backtest(auth, dataset: dataset).json["run_id"] as? Int)
        let queued = try sx.client.send("GET", "/api/v1/analysis/performance?run_id=\(runID)", headers: auth).json["metrics"] as? [String: Any]
        let direct = try sx.client.send("GET", "/api/v1/analysis/performance?run_id=\(synchronous)", headers: auth).json["metrics"] as? [String: Any]
        expectSameMetrics(try #require(queued), try #require(direct), "queued vs synchronous")
    }

    /// The benchmark's bars count in `TM_SYNC_MAX_BARS` (the backtest loads them too): 500
    /// bars fit in 700, 500 plus a benchmark of 500 do not, and are queued.
    @Test func theBenchmarksBarsCountInTheSynchronousBudget() throws {
        let pool = try PrivatePool(stack: sx.stack, workers: 1, threads: 2, environment: ["TM_SYNC_MAX_BARS": "700"])
        defer { pool.stop() }
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let alone = try backtest(auth, dataset: dataset, client: TestHTTPClient(port: pool.port))
        #expect(alone.status == 200, "\(alone.text)")
        let benchmarked = try backtest(
            auth, dataset: dataset, client: TestHTTPClient(port: pool.port), extra: ["benchmark": ["dataset_id": dataset, "symbol": "AAA"]])
        #expect(benchmarked.status == 202, "\(benchmarked.text)")
        #expect(benchmarked.json["trades"] == nil && benchmarked.header("location") != nil)
        // The analysis GETs count a dataset's bars (and its benchmark's) before loading them: 422 above.
        let client = TestHTTPClient(port: pool.port)
        let closes = try client.send("GET", "/api/v1/analysis/performance?dataset_id=\(dataset)&symbol=AAA", headers: auth)
        #expect(closes.status == 200, "\(closes.text)")
        let both = try client.send(
            "GET", "/api/v1/analysis/risk?dataset_id=\(dataset)&symbol=AAA&benchmark_dataset_id=\(dataset)&benchmark_symbol=AAA", headers: auth)
        #expect(both.status == 422, "\(both.text)")
        #expect((both.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "benchmark_dataset_id", "\(both.text)")
    }

    @Test func anIdempotencyKeyReplaysTheFirstAnswerOnBothPaths() throws {
        let pool = try PrivatePool(stack: sx.stack, workers: 1, threads: 2, environment: ["TM_SYNC_MAX_BARS": "100"])
        defer { pool.stop() }
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        func body(_ commission: Double) -> [UInt8] {
            Array(
                #"{"strategy": {"kind": "sma_crossover", "parameters": {"fast": 10, "slow": 30}}, "dataset_id": \#(dataset), "symbol": "AAA", "commission": \#(commission)}"#
                    .utf8)
        }
        func send(_ client: any TestClient, key: String, _ bytes: [UInt8]) throws -> TestResponse {
            try client.send(
                "POST", "/api/v1/analysis/backtest",
                headers: auth.merging(["Content-Type": "application/json", "Idempotency-Key": key]) { $1 }, body: bytes)
        }
        func runs() throws -> Int? { try sx.client.send("GET", "/api/v1/runs", headers: auth).json["total"] as? Int }
        // Within the request (500 bars ≤ the suite's TM_SYNC_MAX_BARS): 200 twice, one run.
        let key = UUID().uuidString
        let first = try send(sx.client, key: key, body(0.001))
        #expect(first.status == 200, "\(first.text)")
        let runID = try #require(first.json["run_id"] as? Int)
        let again = try send(sx.client, key: key, body(0.001))
        #expect(again.status == 200 && again.json["run_id"] as? Int == runID && again.header("idempotent-replayed") == "true", "\(again.text)")
        #expect(again.body == first.body && first.header("idempotent-replayed") == nil)
        #expect(try runs() == 1)
        let other = try send(sx.client, key: key, body(0.002))
        #expect(other.status == 422 && StrategyFixtures.pointers(other) == ["Idempotency-Key"], "\(other.text)")
        // Queued (500 bars > 100 in the private pool): 202 twice with the same run and Location.
        let client = TestHTTPClient(port: pool.port)
        let queuedKey = UUID().uuidString
        let queued = try send(client, key: queuedKey, body(0.001))
        #expect(queued.status == 202, "\(queued.text)")
        let queuedID = try #require(queued.json["run_id"] as? Int)
        let retry = try send(client, key: queuedKey, body(0.001))
        #expect(retry.status == 202 && retry.json["run_id"] as? Int == queuedID && retry.header("idempotent-replayed") == "true")
        #expect(retry.header("location") == "/api/v1/runs/\(queuedID)")
        #expect(try send(client, key: queuedKey, body(0.003)).status == 422)
        #expect(try send(client, key: String(repeating: "k", count: 256), body(0.001)).status == 422)
        #expect(try runs() == 2)
        #expect(try DataFixtures.sql(sx.stack, "SELECT count(*) FROM jobs WHERE kind = 'strategy.run' AND payload->>'run_id' = '\(queuedID)'") == "1")
    }

    @Test func theReportRendersInChromiumAndTheEquityChartIsSVG() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let runID = try #require(
            try backtest(auth, dataset: dataset, extra: ["benchmark": ["dataset_id": dataset, "symbol": "AAA"]])
                .json["run_id"] as? Int)
        let report = try sx.client.send("GET", "/api/v1/runs/\(runID)/report.html", headers: auth)
        #expect(report.status == 200 && report.header("content-type") == "text/html; charset=utf-8")
        let html = report.text
        for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.contains("Equity vs AAA") && html.contains("<caption>Worst drawdowns"))
        let svg = try sx.client.send("GET", "/api/v1/runs/\(runID)/equity.svg?width=800&height=300", headers: auth)
        #expect(
            svg.status == 200 && svg.header("content-type") == "image/svg+xml" && svg.text.hasPrefix("<svg") && svg.text.contains("width=\"800\""))

        let scratch = NSTemporaryDirectory() + "tm-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let path = scratch + "/report.html"
        let png = scratch + "/report.png"
        // Rendered under the policy it is served with (a <meta> policy is enforced as the header
        // is; frame-ancestors, which a <meta> cannot carry, is left out).
        let policy = try #require(report.header("content-security-policy"))
        let metaPolicy = policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("frame-ancestors") }.joined(separator: "; ")
        let served = html.replacingOccurrences(
            of: "<head>", with: "<head><meta http-equiv=\"Content-Security-Policy\" content=\"\(metaPolicy)\">")
        #expect(served.contains("Content-Security-Policy"), "the page has a <head> to put the policy in")
        try served.write(toFile: path, atomically: true, encoding: .utf8)
        let shot = try Chromium.screenshot(path, to: png, width: 1050, height: 2400, scratch: scratch)
        #expect(shot.status == 0, "\(shot.output)")
        #expect(!shot.output.contains("violates the following Content Security Policy"), "\(shot.output)")
        let (width, height, rows) = try PNGInspection.inspect(png)
        #expect(width == 1050 && height == 2400)
        #expect(rows > 200, "a blank page has one distinct row, the report has \(rows)")
        if let keep = ProcessInfo.processInfo.environment["TM_KEEP_TEARSHEET_PNG"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }
}
