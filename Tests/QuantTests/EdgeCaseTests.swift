import Support
import Testing

@testable import Quant

/// Degenerate inputs: no crash, NaN only where a figure is undefined, and never NaN in JSON.
@Suite struct EdgeCaseTests {
    static func series(_ close: [Double]) throws -> OHLCVSeries {
        try OHLCVSeries(timestamps: close.indices.map { Int64($0) * 86_400 }, close: close)
    }

    static func noNaNInJSON(_ v: JSONDocument) -> Bool {
        let text = v.rendered()
        return !text.contains("nan") && !text.contains("inf")
    }

    @Test(arguments: [[Double](), [100], [100, 100, 100, 100], [100, 101]])
    func metricsOfDegenerateCurves(values: [Double]) throws {
        let m = try PerformanceMetrics(timestamps: values.indices.map { Int64($0) }, values: values)
        #expect(m.returnCount == max(0, values.count - 1))
        #expect(Self.noNaNInJSON(m.json()))
        if values.count <= 2 { #expect(m.sharpe.isNaN) }
    }

    @Test func constantPricesHaveZeroVolatilityAndNoDrawdown() throws {
        let r = try Metrics.simpleReturns([50, 50, 50, 50, 50])
        #expect(Metrics.annualVolatility(r) == 0)
        #expect(Metrics.maxDrawdown(r) == 0)
        #expect(Metrics.sharpeRatio(r).isNaN)  // 0 / 0
        #expect(Metrics.calmarRatio(r).isNaN)  // no drawdown
        #expect(Metrics.omegaRatio(r).isNaN)  // no losses
        #expect(Metrics.stability(r) == 0)
        // No spread: the historical and Gaussian VaR are the (zero) return itself. Skewness
        // and kurtosis are 0/0 (scipy gives nan too), so the Cornish-Fisher VaR is undefined.
        #expect(try Risk.valueAtRisk(r, method: .historical) == 0)
        #expect(try Risk.valueAtRisk(r, method: .gaussian) == 0)
        #expect(try Risk.valueAtRisk(r, method: .cornishFisher).isNaN)
    }

    @Test(arguments: StrategyRegistry.names)
    func everyStrategyRunsOnEmptyOneRowAndConstantSeries(name: String) throws {
        let strategy = try StrategyRegistry.strategy(named: name)
        for close in [[Double](), [10], [Double](repeating: 10, count: 300)] {
            let result = try Backtester.run(try Self.series(close), strategy: strategy)
            #expect(result.equity.equity.count == close.count)
            #expect(Self.noNaNInJSON(result.json()))
        }
    }

    @Test func noTradesAtAll() throws {
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 5, "slow": 10])
        let result = try Backtester.run(try Self.series((1...50).map(Double.init)), strategy: strategy)
        #expect(result.trades.isEmpty)
        #expect(result.summary.winRate.isNaN)
        #expect(result.equity.equity.allSatisfy { $0 == 100_000 })
        #expect(result.json().rendered().contains("\"win_rate\":null"))
    }

    @Test func allLosingTrades() throws {
        // Saw-tooth prices where every crossover entry is followed by a fall.
        var close: [Double] = []
        for k in 0..<20 { close += [100, 99, 98, 97, 99, 102, 96, 95, 94, 93].map { $0 - Double(k) * 0.5 } }
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 2, "slow": 4])
        let result = try Backtester.run(
            try Self.series(close), strategy: strategy, configuration: BacktestConfiguration(commission: 0.01))
        let closed = result.trades.filter { !$0.isOpen }
        #expect(!closed.isEmpty)
        #expect(closed.allSatisfy { $0.profit < 0 })
        #expect(result.summary.winRate == 0)
        #expect(result.summary.profitFactor == 0)
    }

    @Test func signalOnLastBarIsNotExecutedAndOpenTradeIsMarked() throws {
        let s = try Self.series([10, 10, 11, 12])
        let result = try Backtester.run(s, strategy: try StrategyRegistry.strategy(named: "buy_and_hold"))
        let trade = try #require(result.trades.first)
        #expect(trade.isOpen && trade.entryBar == 1 && trade.shares == 10_000)
        #expect(result.equity.equity == [100_000, 100_000, 110_000, 120_000])
        let late = Backtester.simulate(
            s, signals: [.hold, .hold, .hold, .long],
            config: BacktestConfiguration(), canShort: false)
        #expect(late.1.isEmpty)
    }

    @Test func slippageAndCommissionAreCharged() throws {
        let s = try OHLCVSeries(
            timestamps: [0, 1, 2, 3], open: [100, 100, 110, 120], high: [100, 100, 110, 120],
            low: [100, 100, 110, 120], close: [100, 100, 110, 120])
        let config = BacktestConfiguration(cash: 10_000, commission: 0.01, slippageBasisPoints: 100)
        let (curve, trades) = Backtester.simulate(s, signals: [.long, .flat, .hold, .hold], config: config, canShort: false)
        let t = try #require(trades.first)
        #expect(t.entryPrice == 101 && t.exitPrice == 110 * 0.99)
        #expect(t.shares == 98)  // ⌊10000 / (101 · 1.01)⌋
        #expect(close(t.commission, 98 * 101 * 0.01 + 98 * 108.9 * 0.01))
        #expect(close(t.profit, 98 * (108.9 - 101) - t.commission))
        #expect(close(curve.equity[3], 10_000 + t.profit))
    }

    @Test func nonFiniteInputIsRejected() {
        #expect(throws: QuantError.nonFinite(what: "close", index: 1)) {
            try OHLCVSeries(timestamps: [0, 1], close: [1, .nan])
        }
        #expect(throws: QuantError.nonFinite(what: "prices", index: 0)) { try Metrics.simpleReturns([.infinity, 1]) }
        for bad in [Double.nan, .infinity, -.infinity] {
            for at in 0..<11 {
                var prices = [Double](repeating: 100, count: 11)
                prices[at] = bad
                #expect(throws: QuantError.nonFinite(what: "prices", index: at)) { try Metrics.simpleReturns(prices) }
            }
        }
        #expect(throws: QuantError.self) { try TradeMasterMetrics(assets: [1, .nan]) }
        #expect(throws: QuantError.self) { try Risk.valueAtRisk([0.1], confidence: 1.5) }
        #expect(throws: QuantError.self) { try BacktestConfiguration(commission: .nan).validated() }
    }

    @Test func jsonWritesNonFiniteAsNull() {
        let v = JSONDocument.object([("a", .number(.nan)), ("b", .number(.infinity)), ("c", .number(1.5)), ("d", .string("x\"y"))])
        #expect(v.rendered() == #"{"a":null,"b":null,"c":1.5,"d":"x\"y"}"#)
    }
}
