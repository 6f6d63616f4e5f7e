import Testing

@testable import Quant

/// Backtests compared trade by trade with backtesting.py 0.6.6 (fixtures backtest_*).
@Suite struct BacktesterTests {
    static let cases = [
        ("daily.csv", "backtest_daily_sma"), ("daily.csv", "backtest_daily_sma_short"),
        ("intraday.csv", "backtest_intraday_ema"), ("intraday.csv", "backtest_intraday_sma_short"),
    ]

    @Test(arguments: cases)
    func matchesBacktestingPy(csv: String, fixture: String) throws {
        let series = try Fixtures.series(csv)
        let ref = try Fixtures.json(fixture)
        let strategy = try StrategyRegistry.strategy(
            named: try #require(ref["strategy"] as? String),
            parameters: ["fast": number(ref["fast"]), "slow": number(ref["slow"])])
        let config = BacktestConfiguration(
            cash: number(ref["cash"]), commission: number(ref["commission"]),
            allowShort: (ref["allow_short"] as? Bool) ?? false)
        let result = try Backtester.run(series, strategy: strategy, configuration: config)
        let expected = ref["trades"] as? [[String: Any]] ?? []
        let closed = result.trades.filter { !$0.isOpen }
        #expect(closed.count == expected.count, "closed trades")
        for (t, e) in zip(closed, expected) {
            #expect(t.entryBar == Int(number(e["entry_bar"])), "entry bar")
            #expect(t.exitBar == Int(number(e["exit_bar"])), "exit bar")
            #expect(t.shares == Int(number(e["size"])), "shares at bar \(t.entryBar)")
            #expect(close(t.entryPrice, number(e["entry_price"]), relative: 1e-12))
            #expect(close(t.exitPrice, number(e["exit_price"]), relative: 1e-12))
            #expect(close(t.profit, number(e["pnl"]), relative: 1e-6), "pnl \(t.profit) vs \(number(e["pnl"]))")
            #expect(close(t.returnFraction, number(e["return"]), relative: 1e-6))
            #expect(close(t.commission, number(e["commission"]), relative: 1e-9))
        }
        let open = ref["open_trades"] as? [[String: Any]] ?? []
        let mine = result.trades.filter(\.isOpen)
        #expect(mine.count == open.count, "open trades")
        for (t, e) in zip(mine, open) {
            #expect(t.entryBar == Int(number(e["entry_bar"])))
            #expect(t.shares == Int(number(e["size"])))
        }
        expectClose(result.equity.equity, numbers(ref["equity"]), relative: 1e-6, "equity")
        #expect(close(result.metrics.sharpe, number(ref["sharpe"]), relative: 1e-6))
        #expect(close(result.metrics.maxDrawdown, number(ref["max_drawdown"]), relative: 1e-6))
        let winRate = number(ref["win_rate"])
        if !winRate.isNaN { #expect(close(result.summary.winRate, winRate, relative: 1e-12)) }
    }

    /// The trades' times are the timestamps of their entry and exit bars (filled in after the loop).
    @Test(arguments: cases)
    func tradeTimesAreTheirBarsTimestamps(csv: String, fixture: String) throws {
        let series = try Fixtures.series(csv)
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 5, "slow": 12])
        let result = try Backtester.run(series, strategy: strategy, configuration: BacktestConfiguration(allowShort: true))
        #expect(result.trades.count > 10)
        for t in result.trades {
            #expect(t.entryTime == series.timestamps[t.entryBar])
            #expect(t.exitTime == t.exitBar.map { series.timestamps[$0] })
        }
    }

    /// A series whose open or close column was replaced by one of another length is refused
    /// (the simulation reads both at every bar index).
    @Test func columnsOfAnotherLengthAreRefused() throws {
        let series = try Fixtures.series("daily.csv")
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 5, "slow": 12])
        var short = series
        short.close.removeLast()
        #expect(throws: QuantError.lengthMismatch(what: "close", expected: series.count, actual: series.count - 1)) {
            try Backtester.run(short, strategy: strategy)
        }
        var long = series
        long.open.append(1)
        #expect(throws: QuantError.lengthMismatch(what: "open", expected: series.count, actual: series.count + 1)) {
            try Backtester.simulate(long, strategy: strategy)
        }
    }

    /// `floorDivide`'s shortcut gives CPython's `float_floor_div` bit for bit: random sizes and
    /// prices, quotients at and next to integers, and odd operands.
    @Test func floorDivideIsPythonsFloorDivision() {
        // From CPython 3: 1.0 // 0.1, 0.3 // 0.1, 100000.0 // (100.23 + 100.23 * 0.001), 5.0 // 0.5, 7.0 // -2.0.
        for (a, b, expected) in [(1.0, 0.1, 9.0), (0.3, 0.1, 2.0), (100_000, 100.23 + 100.23 * 0.001, 996), (5, 0.5, 10), (7, -2, -4)] {
            #expect(Backtester.floorDivide(a, b) == expected, "\(a) // \(b)")
        }
        var rng = PropertyTests.SplitMix(state: 4242)
        func unit() -> Double { rng.next() }
        var operands: [(Double, Double)] = []
        for _ in 0..<200_000 {
            let b = (0.0001 * Double.exp10(unit() * 10)).rounded(toPlaces: Int(unit() * 5))
            let a = (Double.exp10(unit() * 12) - 1).rounded(toPlaces: Int(unit() * 4))
            let k = (unit() * 1_000_000).rounded(.down)
            let exact = k * b
            operands += [(a, b), (exact, b), (exact.nextUp, b), (exact.nextDown, b), (-a, b), (a, -b)]
        }
        for special in [0.0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0x1p50, 0x1p52, 0x1p53] {
            operands += [(special, 3), (3, special), (special, special), (special, 0.1)]
        }
        for (a, b) in operands {
            let fast = Backtester.floorDivide(a, b)
            let reference = Backtester.pythonFloorDivide(a, b)
            #expect(fast.bitPattern == reference.bitPattern || (fast.isNaN && reference.isNaN), "\(a) // \(b): \(fast) vs \(reference)")
        }
    }
}

extension Double {
    /// The value rounded to `places` decimals (a price or size as a CSV would hold it).
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let scale = Double.exp10(Double(places))
        return (self * scale).rounded() / scale
    }

    /// 10 raised to `x`.
    fileprivate static func exp10(_ x: Double) -> Double { Math.pow(10, x) }
}
