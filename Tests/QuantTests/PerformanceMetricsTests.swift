import Testing

@testable import Quant

/// `PerformanceMetrics`' shared passes against the separate computations they replace.
@Suite struct PerformanceMetricsTests {
    /// A seeded equity curve of `count` values from the returns of a `ReturnMetricsTests` shape.
    static func curve(_ shape: String, count: Int, seed: UInt64) -> [Double] {
        var value = 100_000.0
        return [value]
            + ReturnMetricsTests.returns(shape, count: max(count - 1, 0), seed: seed).map { r in
                value *= 1 + (r.isNaN ? 0 : r)
                return value
            }
    }

    @Test(arguments: ["minute", "daily", "sparse", "zeros", "rising", "wide", "ruin"])
    func sharedPassesEqualTheSeparateFigures(shape: String) throws {
        for (k, count) in [1, 2, 64, 65, 66, 1_001, 4_099, 200_003].enumerated() {
            let values = Self.curve(shape, count: count, seed: UInt64(k + 11))
            let m = try PerformanceMetrics(timestamps: values.indices.map { Int64($0) }, values: values)
            let r = try Metrics.simpleReturns(values)
            // TradeMaster's figures and the drawdown dates: the same numbers, bit for bit.
            let tm = try TradeMasterMetrics(assets: values)
            let shared = try #require(m.tradeMaster)
            for (name, a, b) in [
                ("total", shared.totalReturn, tm.totalReturn), ("sharpe", shared.sharpe, tm.sharpe),
                ("volatility", shared.volatility, tm.volatility), ("mdd", shared.maxDrawdown, tm.maxDrawdown),
                ("calmar", shared.calmar, tm.calmar), ("sortino", shared.sortino, tm.sortino),
            ] {
                #expect(ReturnMetricsTests.same(a, b), "\(shape) n=\(count) TradeMaster \(name): \(a) vs \(b)")
            }
            #expect(m.drawdown == DrawdownInfo(returns: r), "\(shape) n=\(count)")
            // The metric set: bit for bit below the shared-pass minimum; above it the drawdown and
            // the wealth come from one running product instead of four or eight, so within rounding.
            let separate = try ReturnMetrics(returns: r)
            let pairs: [(String, Double, Double)] = [
                ("cumulative", m.cumulativeReturn, separate.cumulativeReturn), ("annual", m.annualReturn, separate.annualReturn),
                ("volatility", m.annualVolatility, separate.annualVolatility), ("sharpe", m.sharpe, separate.sharpe),
                ("sortino", m.sortino, separate.sortino), ("calmar", m.calmar, separate.calmar),
                ("mdd", m.maxDrawdown, separate.maxDrawdown), ("omega", m.omega, separate.omega),
                ("tail", m.tailRatio, separate.tailRatio), ("stability", m.stability, separate.stability),
                ("downside", m.downsideRisk, separate.downsideRisk), ("var", m.valueAtRisk95, separate.valueAtRisk95),
                ("cvar", m.conditionalValueAtRisk95, separate.conditionalValueAtRisk95),
            ]
            for (name, shared, expected) in pairs {
                if r.count < ReturnMetrics.sharedPassMinimum {
                    #expect(ReturnMetricsTests.same(shared, expected), "\(shape) n=\(count) \(name): \(shared) vs \(expected)")
                } else {
                    #expect(close(shared, expected, relative: 1e-12, absolute: 1e-15), "\(shape) n=\(count) \(name): \(shared) vs \(expected)")
                }
            }
            if r.count >= ReturnMetrics.sharedPassMinimum, let d = m.drawdown {
                #expect(ReturnMetricsTests.same(m.maxDrawdown, d.maxDrawdown), "\(shape) n=\(count) mdd is the dated drawdown's")
            }
        }
    }
}
