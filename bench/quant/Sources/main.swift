// quant-bench: times the Quant engine on one CSV file (milliseconds, best of N runs).
// Not a test; run through bench/quant/run, which compares it with the Python references.
import Foundation
import Quant
import Support

let arguments = CommandLine.arguments
guard arguments.count > 1, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: quant-bench FILE.csv [LONG.csv]\n".utf8))
    exit(2)
}
let bytes = [UInt8](data)
/// The optional long-layout file (symbol column), read as the upload reads it.
let longBytes = arguments.count > 2 ? FileManager.default.contents(atPath: arguments[2]).map { [UInt8]($0) } : nil
let clock = ContinuousClock()
/// `QUANT_BENCH_REPEAT=backtest` (or csv, long, metrics) repeats that part for a profile, then exits.
let repeatPart = ProcessInfo.processInfo.environment["QUANT_BENCH_REPEAT"]

/// The best time of `runs` runs of `body`, in milliseconds, and its last result.
func best<T>(_ runs: Int, _ body: () throws -> T) rethrows -> (Double, T) {
    func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
    }
    var start = clock.now
    var result = try body()
    var fastest = milliseconds(clock.now - start)
    for _ in 1..<max(runs, 1) {
        start = clock.now
        result = try body()
        fastest = min(fastest, milliseconds(clock.now - start))
    }
    return (fastest, result)
}

do {
    if let part = repeatPart {
        let series = try OHLCVCSVReader.parse(bytes)
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 10, "slow": 30])
        let config = BacktestConfiguration(cash: 100_000, commission: 0.001)
        // The last result stays alive until the next is made, as in `best`: the same heap reuse.
        var last: OHLCVSeries?
        for _ in 0..<200 {
            switch part {
            case "tail":
                let r = try Metrics.simpleReturns(series.close)
                for _ in 0..<10 { _ = Metrics.tailRatio(r) }
            case "stability":
                let r = try Metrics.simpleReturns(series.close)
                for _ in 0..<10 { _ = Metrics.stability(r) }
            case "csv": last = try OHLCVCSVReader.parse(bytes)
            case "csv2": last = try OHLCVCSVReader.parse(bytes, threads: 2)
            case "long": _ = try LongColumns.read(longBytes ?? [])
            case "metrics":
                _ = try ReturnMetrics(returns: Metrics.simpleReturns(series.close), benchmark: Metrics.simpleReturns(series.open))
            default: _ = try Backtester.run(series, strategy: strategy, configuration: config)
            }
        }
        withExtendedLifetime(last) {}
        exit(0)
    }
    // `QUANT_BENCH_ONLY=engine`: the metric set and the full result alone, each run's time and
    // minor page faults on stderr (a quick comparison of engine changes, binary against binary).
    if ProcessInfo.processInfo.environment["QUANT_BENCH_ONLY"] == "engine" {
        let series = try OHLCVCSVReader.parse(bytes)
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 10, "slow": 30])
        let config = BacktestConfiguration(cash: 100_000, commission: 0.001)
        func faults() -> Int {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.ru_minflt
        }
        let (metricsMs, _) = try best(50) { () throws -> Double in
            let r = try Metrics.simpleReturns(series.close)
            let b = try Metrics.simpleReturns(series.open)
            return try ReturnMetrics(returns: r, benchmark: b).sharpe
        }
        var runs: [(Double, Int)] = []
        var result = try Backtester.run(series, strategy: strategy, configuration: config)
        for _ in 0..<40 {
            let f0 = faults()
            let start = clock.now
            result = try Backtester.run(series, strategy: strategy, configuration: config)
            let d = clock.now - start
            runs.append((Double(d.components.attoseconds) * 1e-15 + Double(d.components.seconds) * 1e3, faults() - f0))
        }
        let (simulateMs, _) = try best(50) { try Backtester.simulate(series, strategy: strategy, configuration: config) }
        let curve = result.equity
        let (performanceMs, _) = try best(50) { try PerformanceMetrics(timestamps: curve.timestamps, values: curve.equity).sharpe }
        let line = runs.map { String(format: "%.2f/%d", $0.0, $0.1) }.joined(separator: " ")
        FileHandle.standardError.write(Data("full result runs (ms/faults): \(line)\n".utf8))
        print(
            String(
                format: "metrics %.3f  backtest %.3f (median %.3f)  simulate %.3f  performance %.3f  trades %d  equity %.6f  sharpe %.15f",
                metricsMs, runs.map(\.0).min()!, runs.map(\.0).sorted()[20], simulateMs, performanceMs,
                result.summary.closedTrades, result.summary.finalEquity, result.metrics.sharpe))
        exit(0)
    }
    var report: [(String, JSONDocument)] = []
    let (parseMs, series) = try best(10) { try OHLCVCSVReader.parse(bytes) }
    report.append(("csv_parse_ms", .number(parseMs)))
    let (streamMs, _) = try best(10) { () throws -> OHLCVSeries in
        var reader = OHLCVCSVReader()
        var i = 0
        while i < bytes.count {
            try reader.feed(Array(bytes[i..<min(i + 65_536, bytes.count)]))
            i += 65_536
        }
        return try reader.finish()
    }
    report.append(("csv_parse_streaming_64k_ms", .number(streamMs)))
    // On two threads (two parts of the rows, joined): for the command line, not the server's.
    let (twoThreadsMs, twoThreads) = try best(10) { try OHLCVCSVReader.parse(bytes, threads: 2) }
    guard twoThreads == series else {
        FileHandle.standardError.write(Data("quant-bench: the two-thread parse differs from the one-thread parse\n".utf8))
        exit(1)
    }
    report.append(("csv_parse_2_threads_ms", .number(twoThreadsMs)))
    report.append(("rows", .integer(Int64(series.count))))
    if let longBytes {
        // The upload's row parser: `OHLCVRowReader` with the dataset rules over a long file.
        let (longMs, columns) = try best(5) { try LongColumns.read(longBytes) }
        report.append(("long_parse_ms", .number(longMs)))
        report.append(("long_rows", .integer(Int64(columns.timestamps.count))))
        report.append(("long_symbols", .integer(Int64(columns.symbols.count))))
        report.append(("long_rows_per_s", .number(Double(columns.timestamps.count) / (longMs / 1000))))
    }
    // `QUANT_BENCH_ONLY=csv`: the parsing figures alone (a quick comparison of parser changes).
    if ProcessInfo.processInfo.environment["QUANT_BENCH_ONLY"] == "csv" {
        print(JSONDocument.object(report).rendered())
        exit(0)
    }

    // The whole set at once (`ReturnMetrics`: shared passes, the same numbers as the separate
    // functions bit for bit); QUANT_BENCH_DETAIL times the separate functions too.
    let (metricsMs, sharpe) = try best(50) { () throws -> Double in
        let r = try Metrics.simpleReturns(series.close)
        let b = try Metrics.simpleReturns(series.open)
        return try ReturnMetrics(returns: r, benchmark: b).sharpe
    }
    let (separateMs, _) = try best(50) { () throws -> Double in
        let r = try Metrics.simpleReturns(series.close)
        let b = try Metrics.simpleReturns(series.open)
        let values = [
            Metrics.cumulativeReturn(r), Metrics.annualReturn(r), Metrics.annualVolatility(r),
            Metrics.sharpeRatio(r), Metrics.sortinoRatio(r), Metrics.calmarRatio(r), Metrics.maxDrawdown(r),
            Metrics.omegaRatio(r), Metrics.tailRatio(r), Metrics.stability(r), Metrics.downsideRisk(r),
            try Metrics.alpha(r, benchmark: b), try Metrics.beta(r, benchmark: b),
            try Metrics.informationRatio(r, benchmark: b), try Risk.valueAtRisk(r),
            try Risk.conditionalValueAtRisk(r),
        ]
        return values[3]
    }
    report.append(("metrics_separate_ms", .number(separateMs)))
    report.append(("metrics_ms", .number(metricsMs)))
    if ProcessInfo.processInfo.environment["QUANT_BENCH_DETAIL"] != nil {
        let r = try Metrics.simpleReturns(series.close)
        let b = try Metrics.simpleReturns(series.open)
        let parts: [(String, () throws -> Double)] = [
            ("returns", { try Metrics.simpleReturns(series.close)[0] }),
            ("cumulative", { Metrics.cumulativeReturn(r) }), ("annual", { Metrics.annualReturn(r) }),
            ("vol", { Metrics.annualVolatility(r) }), ("sharpe", { Metrics.sharpeRatio(r) }),
            ("sortino", { Metrics.sortinoRatio(r) }), ("calmar", { Metrics.calmarRatio(r) }),
            ("mdd", { Metrics.maxDrawdown(r) }), ("omega", { Metrics.omegaRatio(r) }),
            ("tail", { Metrics.tailRatio(r) }), ("stability", { Metrics.stability(r) }),
            ("downside", { Metrics.downsideRisk(r) }), ("alpha", { try Metrics.alpha(r, benchmark: b) }),
            ("beta", { try Metrics.beta(r, benchmark: b) }), ("ir", { try Metrics.informationRatio(r, benchmark: b) }),
            ("var", { try Risk.valueAtRisk(r) }), ("cvar", { try Risk.conditionalValueAtRisk(r) }),
        ]
        for (name, f) in parts {
            let (ms, _) = try best(20, f)
            FileHandle.standardError.write(Data("\(name) \(ms)\n".utf8))
        }
    }
    report.append(("sharpe", .number(sharpe)))

    let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 10, "slow": 30])
    let config = BacktestConfiguration(cash: 100_000, commission: 0.001)
    let (backtestMs, result) = try best(20) { try Backtester.run(series, strategy: strategy, configuration: config) }
    report.append(("backtest_ms", .number(backtestMs)))
    let (simulateMs, _) = try best(20) { try Backtester.simulate(series, strategy: strategy, configuration: config) }
    if ProcessInfo.processInfo.environment["QUANT_BENCH_DETAIL"] != nil {
        // The full result's parts on the bench's equity curve (each best of 20).
        let curve = result.equity
        let r = try Metrics.simpleReturns(curve.equity)
        let parts: [(String, () throws -> Double)] = [
            ("bt.simulate", { try Backtester.simulate(series, strategy: strategy, configuration: config).equity.equity[0] }),
            ("bt.metrics", { try PerformanceMetrics(timestamps: curve.timestamps, values: curve.equity).sharpe }),
            ("bt.returns", { try Metrics.simpleReturns(curve.equity)[0] }),
            ("bt.drawdownInfo", { DrawdownInfo(returns: r)?.maxDrawdown ?? 0 }),
            ("bt.tradeMaster", { try TradeMasterMetrics(assets: curve.equity).sharpe }),
            ("bt.returnMetrics", { try ReturnMetrics(returns: r).sharpe }),
        ]
        for (name, f) in parts {
            let (ms, _) = try best(20, f)
            FileHandle.standardError.write(Data("\(name) \(ms)\n".utf8))
        }
    }
    report.append(("backtest_simulation_only_ms", .number(simulateMs)))
    report.append(("backtest_closed_trades", .integer(Int64(result.summary.closedTrades))))
    report.append(("backtest_final_equity", .number(result.summary.finalEquity)))

    // The parameter search on backtesting.py's grid (fast 5..50 step 5 × slow 20..200 step 20,
    // fast < slow): every candidate backtested on the training and validation parts, then the
    // best once on the test part, single-threaded (`tm worker` spreads trials over threads).
    let space = ParameterSpace(["fast": .range(min: 5, max: 50, step: 5), "slow": .range(min: 20, max: 200, step: 20)])
    let search = try ParameterSearch(
        strategy: "sma_crossover", space: space, method: .grid, maxTrials: 100, objective: .sharpe, backtest: config)
    let (searchMs, trials) = try best(3) { () throws -> [SearchTrial] in
        let parts = try search.parts(of: series)
        let trials = search.candidates().enumerated().map { index, parameters in
            search.evaluate(index: index, parameters: parameters, train: parts.train, validation: parts.validation)
        }
        if let chosen = ParameterSearch.best(of: trials) { _ = try search.report(chosen, test: parts.test) }
        return trials
    }
    // Backtests run: two per valid candidate and the test run (candidates with fast ≥ slow are refused).
    let valid = trials.filter { $0.error == nil }.count
    report.append(("search_ms", .number(searchMs)))
    report.append(("search_trials", .integer(Int64(valid))))
    report.append(("search_trials_per_s", .number(Double(valid + 1) / (searchMs / 1000))))
    report.append(("search_best", .string(ParameterSearch.best(of: trials).map { "\($0.parameters)" } ?? "none")))
    print(JSONDocument.object(report).rendered())
} catch {
    FileHandle.standardError.write(Data("quant-bench: \(error)\n".utf8))
    exit(1)
}
