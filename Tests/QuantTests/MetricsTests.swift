import Testing

@testable import Quant

/// Every metric against empyrical-reloaded 0.7.1 (fixtures metrics_daily / metrics_intraday).
@Suite struct MetricsTests {
    static let cases = [("daily.csv", "metrics_daily"), ("intraday.csv", "metrics_intraday")]

    @Test(arguments: cases)
    func matchesEmpyrical(csv: String, fixture: String) throws {
        let series = try Fixtures.series(csv)
        let ref = try Fixtures.json(fixture)
        let ann = number(ref["annualization"])
        let r = try Metrics.simpleReturns(series.close)
        expectClose(r, numbers(ref["returns"]), "returns")
        let checks: [(String, Double)] = [
            ("cumulative_return", Metrics.cumulativeReturn(r)),
            ("annual_return", Metrics.annualReturn(r, periodsPerYear: ann)),
            ("annual_volatility", Metrics.annualVolatility(r, periodsPerYear: ann)),
            ("sharpe", Metrics.sharpeRatio(r, periodsPerYear: ann)),
            ("sortino", Metrics.sortinoRatio(r, periodsPerYear: ann)),
            ("calmar", Metrics.calmarRatio(r, periodsPerYear: ann)),
            ("max_drawdown", Metrics.maxDrawdown(r)),
            ("omega", Metrics.omegaRatio(r)),
            ("tail_ratio", Metrics.tailRatio(r)),
            ("stability", Metrics.stability(r)),
            ("downside_risk", Metrics.downsideRisk(r, periodsPerYear: ann)),
            ("var_historical_95", try Risk.valueAtRisk(r, confidence: 0.95)),
            ("var_historical_99", try Risk.valueAtRisk(r, confidence: 0.99)),
            ("var_gaussian_95", try Risk.valueAtRisk(r, confidence: 0.95, method: .gaussian)),
            ("var_gaussian_99", try Risk.valueAtRisk(r, confidence: 0.99, method: .gaussian)),
            ("var_cornish_fisher_95", try Risk.valueAtRisk(r, confidence: 0.95, method: .cornishFisher)),
            ("var_cornish_fisher_99", try Risk.valueAtRisk(r, confidence: 0.99, method: .cornishFisher)),
            ("cvar_95", try Risk.conditionalValueAtRisk(r, confidence: 0.95)),
            ("cvar_99", try Risk.conditionalValueAtRisk(r, confidence: 0.99)),
        ]
        for (name, value) in checks {
            #expect(close(value, number(ref[name])), "\(fixture) \(name): \(value) vs \(number(ref[name]))")
        }
        expectClose(Risk.drawdownSeries(r), numbers(ref["drawdown_series"]), "drawdown series")
        let rolling = try Risk.rollingVolatility(r, window: 20, periodsPerYear: ann)
        expectClose(Array(rolling.dropFirst(19)), numbers(ref["rolling_volatility_20"]), "rolling volatility")
        #expect(rolling.prefix(19).allSatisfy { $0.isNaN })
    }

    @Test(arguments: cases)
    func drawdownDates(csv: String, fixture: String) throws {
        let series = try Fixtures.series(csv)
        let ref = try #require(try Fixtures.json(fixture)["drawdown"] as? [String: Any])
        let info = try #require(DrawdownInfo(returns: try Metrics.simpleReturns(series.close)))
        #expect(info.peak == Int(number(ref["peak"])))
        #expect(info.trough == Int(number(ref["trough"])))
        let recovery = number(ref["recovery"])
        #expect(info.recovery == (recovery.isNaN ? nil : Int(recovery)))
    }

    @Test func benchmarkAlignedAlphaBetaInformationRatio() throws {
        let series = try Fixtures.series("daily.csv")
        let bench = try Fixtures.series("benchmark.csv")
        let ref = try Fixtures.json("metrics_daily")
        let m = try PerformanceMetrics(
            timestamps: series.timestamps, values: series.close,
            benchmark: (bench.timestamps, bench.close))
        #expect(m.alignedCount == Int(number(ref["aligned_count"])))
        #expect(close(try #require(m.alpha), number(ref["alpha"])), "alpha \(m.alpha ?? .nan)")
        #expect(close(try #require(m.beta), number(ref["beta"])), "beta \(m.beta ?? .nan)")
        #expect(close(try #require(m.informationRatio), number(ref["information_ratio"])))
        #expect(close(m.sharpe, number(ref["sharpe"])))
    }

    @Test(arguments: cases)
    func tradeMasterFigures(csv: String, fixture: String) throws {
        let series = try Fixtures.series(csv)
        let ref = try #require(try Fixtures.json(fixture)["trademaster"] as? [String: Any])
        let tm = try TradeMasterMetrics(assets: series.close)
        #expect(close(tm.totalReturn, number(ref["total_return"])))
        #expect(close(tm.sharpe, number(ref["sharpe"])))
        #expect(close(tm.volatility, number(ref["volatility"])))
        #expect(close(tm.maxDrawdown, number(ref["max_drawdown"])))
        #expect(close(tm.calmar, number(ref["calmar"])))
        #expect(close(tm.sortino, number(ref["sortino"])))
    }

    @Test func normalQuantileMatchesKnownValues() {
        #expect(close(NormalDistribution.quantile(0.05), -1.6448536269514729, relative: 1e-14))
        #expect(close(NormalDistribution.quantile(0.975), 1.959963984540054, relative: 1e-14))
        #expect(close(NormalDistribution.quantile(1e-10), -6.361340902404056, relative: 1e-13))
        #expect(NormalDistribution.quantile(0.5) == 0)
    }
}

/// The small-return logarithm used by `stability` against the C library.
@Suite struct MathTests {
    @Test func log1pFastIsWithinTwoUlps() {
        var worst = 0.0
        for k in -20_000...20_000 where k != 0 {
            let r = Double(k) * 0.01 / 20_000
            let exact = Math.log1p(r)
            worst = max(worst, abs(Math.log1pFast(r) - exact) / abs(exact))
        }
        #expect(worst < 5e-16)
    }

    @Test func vectorLog1pFastIsWithinTwoUlps() {
        let x = (-40_001...40_001).map { Double($0) * 0.02 / 40_000 } + [0, -0.0, 1e-300, 0.5, -0.9, 3]
        var out = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { Math.log1pFast(p, into: $0) } }
        var worst = 0.0
        for (r, y) in zip(x, out) where r != 0 {
            let exact = Math.log1p(r)
            worst = max(worst, abs(y - exact) / abs(exact))
        }
        #expect(worst < 5e-16)
        #expect(out[x.count - 6] == 0 && out[x.count - 5] == 0)
    }
}
