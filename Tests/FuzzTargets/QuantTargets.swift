import Foundation
import Handlers
import Models
import Quant
import Support
import TMFcgi

/// Targets over the analytics: preprocessing, parameter spaces, the backtesters, the metrics
/// and the tear sheet, on prices decoded from the input (1e-300 to 1e300, zeros, constant
/// runs, and NaN or infinities where the input path lets them through).
enum QuantTargets {
    /// A series of at most `maximumRows` bars with strictly increasing times; close, open,
    /// high and low from ``FuzzInput/price(previous:nonFinite:)`` (high and low kept around
    /// open and close, as the upload rules require).
    static func series(_ input: inout FuzzInput, maximumRows: Int, symbol: String? = nil) -> OHLCVSeries? {
        let count = input.int(0...maximumRows)
        let step = input.pick([Int64(86_400), 60, 1, 3_600, Int64(input.int(1...1_000_000))])
        var time = input.pick([Int64(1_577_836_800), OHLCVRowReader.earliest, OHLCVRowReader.latest - step * Int64(count), 0])
        var previous = input.number(previous: 100)
        if previous == 0 || !previous.isFinite { previous = 100 }
        var columns = (t: [Int64](), o: [Double](), h: [Double](), l: [Double](), c: [Double](), v: [Double]())
        for _ in 0..<count {
            let close = input.price(previous: previous)
            let open = input.bool() ? previous : input.price(previous: close)
            var high = max(open, close)
            var low = min(open, close)
            if input.bool() {
                let spread = Double(input.byte()) / 1000
                if (high * (1 + spread)).isFinite { high *= 1 + spread }
                low *= 1 - spread
            }
            columns.t.append(time)
            columns.o.append(open)
            columns.h.append(high)
            columns.l.append(low)
            columns.c.append(close)
            columns.v.append(abs(input.number(previous: 1_000)))
            time += step
            previous = close
        }
        return try? OHLCVSeries(
            timestamps: columns.t, open: columns.o, high: columns.h, low: columns.l, close: columns.c, volume: columns.v,
            symbols: symbol.map { [String](repeating: $0, count: count) })
    }

    /// Values for some of `descriptor`'s parameters: inside their range, at its edges, just
    /// outside, or any number; a choice by name (or a wrong one).
    static func parameters(_ input: inout FuzzInput, for descriptor: StrategyDescriptor) -> [String: ParameterValue] {
        var values: [String: ParameterValue] = [:]
        for spec in descriptor.parameters where input.bool() {
            if spec.kind == .choice {
                values[spec.name] = .text(input.int(0...7) == 0 ? input.string() : input.pick(spec.choices))
                continue
            }
            let range = spec.range
            let span = range.upperBound - range.lowerBound
            var value: Double
            switch input.int(0...5) {
            case 0: value = range.lowerBound
            case 1: value = range.upperBound
            case 2: value = range.lowerBound + span * Double(input.byte()) / 255
            case 3: value = range.lowerBound + Double(input.int(0...300))
            case 4: value = input.number(previous: spec.defaultValue, nonFinite: true)
            default: value = spec.defaultValue
            }
            if spec.kind == .integer, value.isFinite, input.bool() { value = value.rounded() }
            values[spec.name] = .number(value)
        }
        return values
    }

    /// A backtest configuration, mostly valid.
    static func configuration(_ input: inout FuzzInput) -> BacktestConfiguration {
        BacktestConfiguration(
            cash: input.bool() ? 100_000 : input.number(previous: 100_000),
            commission: input.bool() ? 0 : Double(input.byte()) / 256,
            slippageBasisPoints: input.bool() ? 0 : Double(input.int(0...10_000)),
            allowShort: input.bool(),
            periodsPerYear: input.pick([252, 365, 52, 12, 1, 98_280, input.number(previous: 252)]))
    }

    /// A benchmark over (some of) `timestamps`.
    static func benchmark(_ input: inout FuzzInput, timestamps: [Int64]) -> (timestamps: [Int64], prices: [Double])? {
        guard input.bool() else { return nil }
        var times: [Int64] = []
        var prices: [Double] = []
        var previous = 3_000.0
        for t in timestamps where input.byte() < 230 {
            previous = input.price(previous: previous)
            times.append(t)
            prices.append(previous)
        }
        return (times, prices)
    }

    /// The preprocess route's steps (decoded from JSON as the route does, checked by
    /// `PreprocessStep.validate`), applied with `DatasetPreprocessor.apply` to a small frame.
    static func preprocess(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        var steps: [String] = []
        for _ in 0..<input.int(0...5) {
            var fields = [#""op":"\#(input.pick(PreprocessStep.operations + ["bogus"]))""#]
            if input.bool() { fields.append(#""to":"\#(input.pick(Array(PreprocessStep.intervals.keys) + ["2min"]))""#) }
            if input.bool() { fields.append(#""z":\#(jsonNumber(input.number(previous: 3)))"#) }
            if input.bool() { fields.append(#""method":"\#(input.pick(["ffill", "bfill", "interpolate", "drop", "zscore", "minmax", "x"]))""#) }
            if input.bool() {
                let names =
                    PreprocessStep.featureColumns + ["open", "high", "low", "close", "volume"] + ["sma_5", "ema_3", "rsi_14", "split", "nope"]
                fields.append(#""columns":[\#((0..<input.int(0...3)).map { _ in "\"\(input.pick(names))\"" }.joined(separator: ","))]"#)
            }
            for key in ["train", "valid", "test"] where input.bool() {
                fields.append(#""\#(key)":\#(jsonNumber(Double(input.byte()) / 255))"#)
            }
            if input.bool() {
                var indicators: [String] = []
                for _ in 0..<input.int(0...3) {
                    var indicator = [#""name":"\#(input.pick(["sma", "ema", "rsi", "macd", "bollinger", "atr", "vwap"]))""#]
                    for key in ["window", "fast", "slow", "signal"] where input.bool() { indicator.append(#""\#(key)":\#(input.int(-2...400))"#) }
                    if input.bool() { indicator.append(#""k":\#(jsonNumber(input.number(previous: 2)))"#) }
                    indicators.append("{" + indicator.joined(separator: ",") + "}")
                }
                fields.append(#""indicators":[\#(indicators.joined(separator: ","))]"#)
            }
            steps.append("{" + fields.joined(separator: ",") + "}")
        }
        guard let decoded = try? JSONCoding.decode([PreprocessStep].self, from: Array("[\(steps.joined(separator: ","))]".utf8)),
            PreprocessStep.validate(decoded).isEmpty,
            let series = series(&input, maximumRows: 120)
        else { return }
        let zone = TimeZone(identifier: input.pick(["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]))
        let train = decoded.last(where: { $0.op == "split" })?.train ?? 0.7
        var frame = DatasetPreprocessor.Frame(series: series)
        for step in decoded {
            do {
                try DatasetPreprocessor.apply(step, to: &frame, trainFraction: train, timeZone: zone)
            } catch is QuantError {
                return  // a 422 at /steps/i
            } catch {
                preconditionFailure("a preprocess step threw \(error), not a QuantError")
            }
        }
        for column in frame.columns { precondition(column.values.count == frame.series.count, "\(column.name) lost its rows") }
    }

    /// A number as JSON text (JSON has no NaN or infinity: those become a huge literal the decoder refuses).
    static func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "1e999" }

    /// Parameter spaces as the search route builds them: ranges and lists of any numbers,
    /// validated against a strategy, then sized, enumerated and sampled.
    static func parameterSpace(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let descriptor = input.pick(StrategyRegistry.descriptors)
        var dimensions: [String: ParameterSpace.Dimension] = [:]
        let names = descriptor.parameters.map(\.name) + ["bogus"]
        for _ in 0..<input.int(0...4) {
            let name = input.pick(names)
            if input.bool() {
                dimensions[name] = .values((0..<input.int(0...6)).map { _ in input.number(previous: 10, nonFinite: true) })
            } else {
                let lower = input.number(previous: 5, nonFinite: true)
                let upper = input.bool() ? lower + Double(input.int(0...1000)) : input.number(previous: 50, nonFinite: true)
                let step = input.pick([1, 0.1, 0.5, 1e-9, 0, -1, input.number(previous: 1, nonFinite: true)])
                dimensions[name] = .range(min: lower, max: upper, step: step)
            }
        }
        guard let space = try? ParameterSpace(dimensions).validated(for: descriptor) else { return }
        let size = space.gridSize
        for index in [0, 1, size / 2, size - 1] where index >= 0 && index < size { _ = space.gridPoint(index) }
        var generator = SplitMix64(seed: UInt64(input.byte()))
        for _ in 0..<4 { _ = space.randomPoint(using: &generator) }
        if let search = try? ParameterSearch(
            strategy: descriptor.name, space: space, method: input.bool() ? .grid : .random, maxTrials: input.int(1...50),
            objective: .sharpe, seed: UInt64(input.byte()))
        {
            for candidate in search.candidates().prefix(8) { _ = try? search.strategy(with: candidate) }
        }
    }

    /// The single-symbol backtester (`Backtester.run`, as the synchronous route and `tm
    /// worker` call it) on a random series with any strategy, parameters and configuration;
    /// its JSON answer is rendered too.
    static func backtest(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let descriptor = input.pick(StrategyRegistry.descriptors)
        let values = parameters(&input, for: descriptor)
        var numbers: [String: Double] = [:]
        for (name, value) in values {
            guard let spec = descriptor.parameter(named: name), let number = try? spec.validate(value) else { return }
            numbers[name] = number
        }
        guard let strategy = try? StrategyRegistry.strategy(named: descriptor.name, parameters: numbers) else { return }
        let config = configuration(&input)
        guard let series = series(&input, maximumRows: 200) else { return }
        let bench = benchmark(&input, timestamps: series.timestamps)
        guard let result = try? Backtester.run(series, strategy: strategy, configuration: config, benchmark: bench) else { return }
        _ = result.json(includeEquity: true).rendered()
        _ = TradeStatistics(trades: result.trades, positions: [])
    }

    /// The portfolio backtester on two to four symbols' random series.
    static func portfolio(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let descriptor = input.pick(PortfolioRegistry.descriptors)
        guard let strategy = try? PortfolioRegistry.strategy(named: descriptor.name, values: parameters(&input, for: descriptor)) else {
            return
        }
        let config = configuration(&input)
        var long: [OHLCVSeries] = []
        for symbol in ["AAA", "BBB", "CCC", "DDD"].prefix(input.int(1...4)) {
            guard let s = series(&input, maximumRows: 60, symbol: symbol) else { return }
            long.append(s)
        }
        // One long file: every symbol's rows, in time order as the reader sorts them.
        var rows: [(Int64, String, Int, OHLCVSeries)] = []
        for s in long { for i in 0..<s.count { rows.append((s.timestamps[i], s.symbols?[i] ?? "", i, s)) } }
        rows.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        guard
            let merged = try? OHLCVSeries(
                timestamps: rows.map(\.0), open: rows.map { $0.3.open[$0.2] }, high: rows.map { $0.3.high[$0.2] },
                low: rows.map { $0.3.low[$0.2] }, close: rows.map { $0.3.close[$0.2] }, volume: rows.map { $0.3.volume[$0.2] },
                symbols: rows.map(\.1)),
            let universe = try? PortfolioUniverse(merged)
        else { return }
        let bench = benchmark(&input, timestamps: universe.timestamps)
        _ = try? PortfolioBacktester.run(universe, strategy: strategy, configuration: config, benchmark: bench)
    }

    /// A curve of any values (NaN and infinities included: the analysis routes take curves
    /// from stored runs) at increasing times.
    static func curve(_ input: inout FuzzInput, maximumRows: Int) -> (timestamps: [Int64], values: [Double]) {
        let count = input.int(0...maximumRows)
        let step = input.pick([Int64(86_400), 60, 1, 2_629_746, Int64(input.int(1...10_000_000))])
        var time = input.pick([Int64(1_577_836_800), OHLCVRowReader.earliest, OHLCVRowReader.latest - step * Int64(count)])
        var values: [Double] = []
        var timestamps: [Int64] = []
        var previous = abs(input.number(previous: 100_000))
        for _ in 0..<count {
            previous = input.price(previous: previous, nonFinite: true)
            values.append(previous)
            timestamps.append(time)
            time += step
        }
        return (timestamps, values)
    }

    /// Every metric of the analysis routes on one curve: the performance and risk reports
    /// (with a benchmark), TradeMaster's figures, correlation, drawdown periods, JSON answers.
    static func metrics(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let (timestamps, values) = curve(&input, maximumRows: 300)
        let bench = benchmark(&input, timestamps: timestamps)
        let periods = input.pick([252, 365, 52, 12, 98_280, input.number(previous: 252, nonFinite: true)])
        if let report = try? PerformanceReport(timestamps: timestamps, values: values, benchmark: bench, periodsPerYear: periods) {
            _ = report.metrics.json(timestamps: timestamps).rendered()
        }
        _ = try? RiskReport(timestamps: timestamps, values: values, benchmark: bench, window: input.int(-1...400), periodsPerYear: periods)
        _ = try? TradeMasterMetrics(assets: values)
        if let r = try? Metrics.simpleReturns(values) {
            _ = DrawdownPeriod.worst(input.int(0...10), returns: r)
            _ = Risk.drawdownSeries(r)
            _ = Risk.skewness(r)
            _ = Risk.kurtosis(r)
            _ = try? Risk.conditionalValueAtRisk(r, confidence: input.pick([0.95, 0.99, 0.5, 1, 0, input.number(previous: 0.9, nonFinite: true)]))
        }
        if let bench { _ = try? Correlation.matrix([(timestamps, values), (bench.timestamps, bench.prices)]) }
        _ = try? PeriodReturns(timestamps: timestamps, values: values)
    }

    /// The tear sheet page (`TearSheetRenderer`) of a random curve, built as the report route builds it.
    static func tearSheet(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let (timestamps, values) = curve(&input, maximumRows: 200)
        let bench = benchmark(&input, timestamps: timestamps)
        let trades = (0..<input.int(0...20)).map { _ in input.number(previous: 0.01, nonFinite: true) }
        let stats = TradeStatistics(
            profits: trades.map { $0 * 1_000 }, returns: trades, barsHeld: trades.map { _ in input.int(0...100) },
            openTrades: input.int(0...1), exposure: Double(input.byte()) / 255)
        guard
            let performance = try? PerformanceReport(
                timestamps: timestamps, values: values, benchmark: bench, trades: stats, periodsPerYear: 252),
            let risk = try? RiskReport(timestamps: timestamps, values: values, benchmark: bench, window: 21, periodsPerYear: 252)
        else { return }
        var aligned: [Double]?
        if let bench {
            let byTime = Dictionary(zip(bench.timestamps, bench.prices), uniquingKeysWith: { first, _ in first })
            aligned = timestamps.map { byTime[$0] ?? .nan }
        }
        let sheet = TearSheet(
            title: input.string(), details: [input.string(), input.string()], timestamps: timestamps, equity: values,
            benchmark: aligned, benchmarkName: input.string(), performance: performance, risk: risk, tradeReturns: trades,
            rollingWindow: min(63, max(2, timestamps.count / 4)))
        let page = TearSheetRenderer(sheet: sheet).render()
        precondition(!page.contains("<script"), "the tear sheet let a <script> through")
    }
}
