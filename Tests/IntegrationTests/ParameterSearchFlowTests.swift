import Foundation
import TestSupport
import Testing

/// A parameter search through the API and a real worker, checked against a brute-force loop
/// of `tm backtest` (a subprocess per combination) on the same split; `apply` bumps the
/// strategy's version. Also measures (does not assert the time of) a 1,000-trial search over
/// ten years of daily bars.
@Suite(.serialized) struct ParameterSearchFlowTests {
    let t: TrainingFixtures

    init() throws {
        t = try TrainingFixtures()
    }

    /// The rows of a `wideDaily` file in `range` (header kept), written to a temp file.
    func part(_ csv: String, _ range: Range<Int>) throws -> String {
        let lines = csv.split(separator: "\n").map(String.init)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString.prefix(8)).csv").path
        try ([lines[0]] + lines[1...].enumerated().filter { range.contains($0.offset) }.map(\.element)).joined(separator: "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `tm backtest --json` of sma_crossover on `path`: its metrics.
    func backtest(_ path: String, fast: Int, slow: Int) throws -> [String: Any] {
        let result = try TestStack.run([
            t.stack.binary, "backtest", "--csv", path, "--strategy", "sma_crossover",
            "--param", "fast=\(fast)", "--param", "slow=\(slow)", "--json",
        ])
        try #require(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        return try #require(json["metrics"] as? [String: Any])
    }

    @Test func bestParametersAndTestMetricsEqualABruteForceLoopOfTmBacktest() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.builtinStrategy(auth)
        let bars = 500
        let csv = DataFixtures.wideDaily(count: bars, seed: 11).text
        let dataset = try t.dataset(csv, auth: auth)
        let fasts = [5, 10, 15, 20]
        let slows = [30, 50, 80]
        let response = try t.client.send(
            "POST", "/api/v1/training/start", headers: auth,
            json: [
                "strategy_id": strategy, "dataset_id": dataset, "name": "sma grid",
                "config": [
                    "method": "grid", "space": ["fast": ["min": 5, "max": 20, "step": 5], "slow": slows],
                    "max_trials": 12, "objective": "sharpe", "split": ["train": 0.6, "valid": 0.2, "test": 0.2],
                ],
            ])
        try #require(response.status == 202, "\(response.text)")
        #expect(response.json["total_trials"] as? Int == 12)
        let id = try #require(response.json["id"] as? Int)
        let done = try t.finished("/api/v1/training/\(id)/status", auth)
        try #require(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        #expect(done["trial"] as? Int == 12 && done["total_trials"] as? Int == 12)
        let result = try #require(done["result"] as? [String: Any])
        let trials = try #require(result["trials"] as? [[String: Any]])
        #expect(trials.count == 12)

        // The same split as DataSplit: ⌊n·0.6⌋ train rows, ⌊n·0.2⌋ valid rows, the rest test.
        let nTrain = Int((Double(bars) * 0.6).rounded(.down))
        let nValid = Int((Double(bars) * 0.2).rounded(.down))
        let trainPath = try part(csv, 0..<nTrain)
        let validPath = try part(csv, nTrain..<(nTrain + nValid))
        let testPath = try part(csv, (nTrain + nValid)..<bars)
        defer { for p in [trainPath, validPath, testPath] { try? FileManager.default.removeItem(atPath: p) } }
        var best: (fast: Int, slow: Int, score: Double)?
        var index = 0
        for fast in fasts {
            for slow in slows {
                // null (NaN: no trades in the part) on both sides counts as equal.
                let valid = try backtest(validPath, fast: fast, slow: slow)["sharpe"] as? Double
                let trial = trials[index]
                #expect((trial["parameters"] as? [String: Int]) == ["fast": fast, "slow": slow])
                #expect(trial["valid_score"] as? Double == valid, "trial \(index)")
                if index % 5 == 0 {
                    let train = try backtest(trainPath, fast: fast, slow: slow)["sharpe"] as? Double
                    #expect(trial["train_score"] as? Double == train, "trial \(index)")
                }
                guard let valid else {
                    index += 1
                    continue
                }
                if best.map({ valid > $0.score }) ?? true { best = (fast, slow, valid) }
                index += 1
            }
        }
        let expected = try #require(best)
        #expect(result["best_parameters"] as? [String: Int] == ["fast": expected.fast, "slow": expected.slow])
        #expect(try #require(result["best_valid_score"] as? Double) == expected.score)
        let testMetrics = try backtest(testPath, fast: expected.fast, slow: expected.slow)
        let reported = try #require((result["test"] as? [String: Any])?["metrics"] as? [String: Any])
        #expect(try #require(reported["sharpe"] as? Double) == testMetrics["sharpe"] as? Double)
        #expect(try #require(reported["total_return"] as? Double) == testMetrics["cumulative_return"] as? Double)
        #expect(try #require(reported["max_drawdown"] as? Double) == testMetrics["max_drawdown"] as? Double)

        // Apply: the strategy's parameters become the best ones, as version 2.
        let applied = try t.client.send("POST", "/api/v1/training/\(id)/apply", headers: auth)
        #expect(applied.status == 200, "\(applied.text)")
        #expect(applied.json["version"] as? Int == 2)
        #expect(
            try t.sql("SELECT version || ' ' || (parameters->>'fast') || ' ' || (parameters->>'slow') FROM strategies WHERE id = \(strategy)")
                == "2 \(expected.fast) \(expected.slow)")
        #expect(try t.client.send("GET", "/api/v1/training/\(id)", headers: auth).json["applied_version"] as? Int == 2)

        // The strategy becomes a momentum strategy: fast and slow are no parameters of it, so
        // applying again is refused as an edit with them would be, and nothing changes.
        let changed = try t.client.send(
            "PATCH", "/api/v1/strategies/\(strategy)", headers: auth.merging(["If-Match": "\"2\""]) { $1 }, json: ["kind": "momentum"])
        #expect(changed.status == 200, "\(changed.text)")
        let refused = try t.client.send("POST", "/api/v1/training/\(id)/apply", headers: auth)
        #expect(refused.status == 409, "\(refused.text)")
        #expect((refused.json["detail"] as? String)?.contains("no longer accepts") == true, "\(refused.text)")
        #expect(
            try t.sql("SELECT version || ' ' || kind || ' ' || (parameters ? 'fast')::text FROM strategies WHERE id = \(strategy)")
                == "3 momentum false")
    }

    @Test func aThousandTrialSearchOverTenYearsOfDailyBars() throws {
        let worker = try t.worker(["TM_TRAINING_THREADS": "2"])
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let strategy = try t.builtinStrategy(auth)
        let dataset = try t.dataset(DataFixtures.wideDaily(count: 2520, seed: 3).text, auth: auth)
        let response = try t.client.send(
            "POST", "/api/v1/training/start", headers: auth,
            json: [
                "strategy_id": strategy, "dataset_id": dataset,
                "config": [
                    "method": "random", "seed": 42,
                    "space": ["fast": ["min": 2, "max": 60, "step": 1], "slow": ["min": 20, "max": 250, "step": 1]],
                    "max_trials": 1000, "objective": "sortino", "split": ["train": 0.6, "valid": 0.2, "test": 0.2],
                ],
            ])
        try #require(response.status == 202, "\(response.text)")
        let id = try #require(response.json["id"] as? Int)
        let started = Date()
        let done = try t.finished("/api/v1/training/\(id)/status", auth, seconds: 120)
        let wall = Date().timeIntervalSince(started)
        try #require(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        let result = try #require(done["result"] as? [String: Any])
        #expect((result["trials"] as? [Any])?.count == 1000)
        // Reported, not asserted: the search's own time and the wall time through the API.
        print(
            "BENCH parameter search: 1000 trials over 2520 daily bars in \(result["seconds"] ?? "?") s (search), \(String(format: "%.2f", wall)) s (API wall)"
        )
        // The same seed draws the same trials.
        let again = try t.client.send(
            "POST", "/api/v1/training/start", headers: auth,
            json: [
                "strategy_id": strategy, "dataset_id": dataset,
                "config": [
                    "method": "random", "seed": 42,
                    "space": ["fast": ["min": 2, "max": 60, "step": 1], "slow": ["min": 20, "max": 250, "step": 1]],
                    "max_trials": 1000, "objective": "sortino", "split": ["train": 0.6, "valid": 0.2, "test": 0.2],
                ],
            ])
        let second = try t.finished("/api/v1/training/\(try #require(again.json["id"] as? Int))/status", auth, seconds: 120)
        let secondResult = try #require(second["result"] as? [String: Any])
        #expect(secondResult["best_parameters"] as? [String: Int] == result["best_parameters"] as? [String: Int])
        #expect(secondResult["best_trial"] as? Int == result["best_trial"] as? Int)
    }
}
