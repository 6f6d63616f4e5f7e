import Testing

@testable import Quant

/// The analysis functions against independent references (fixture analysis_daily made by
/// scripts/quant-reference/generate_analysis.py from empyrical, scipy, pandas, backtesting.py):
/// 1e-9 relative; drawdown rows and counts exactly.
@Suite struct AnalysisTests {
    func reference() throws -> [String: Any] { try Fixtures.json("analysis_daily") }

    @Test func monthlyAndYearlyReturnsMatchEmpyricalAggregateReturns() throws {
        let daily = try Fixtures.series("daily.csv")
        let ref = try reference()
        let table = try PeriodReturns(timestamps: daily.timestamps, values: daily.close)
        let months = try #require(ref["monthly"] as? [[String: Any]])
        #expect(table.monthly.map { "\($0.year)-\($0.month)" } == months.map { "\(Int(number($0["year"])))-\(Int(number($0["month"])))" })
        expectClose(table.monthly.map(\.value), months.map { number($0["value"]) }, "monthly")
        let years = try #require(ref["yearly"] as? [[String: Any]])
        #expect(table.yearly.map(\.year) == years.map { Int(number($0["year"])) })
        expectClose(table.yearly.map(\.value), years.map { number($0["value"]) }, "yearly")
    }

    @Test func theFiveWorstDrawdownsMatchPyfoliosMethod() throws {
        let daily = try Fixtures.series("daily.csv")
        let ref = try #require(try reference()["top_drawdowns"] as? [[String: Any]])
        let worst = DrawdownPeriod.worst(5, returns: try Metrics.simpleReturns(daily.close))
        #expect(worst.count == ref.count)
        for (d, e) in zip(worst, ref) {
            #expect(d.peak == Int(number(e["peak"])) && d.trough == Int(number(e["trough"])))
            let recovery = number(e["recovery"])
            #expect(d.recovery == (recovery.isNaN ? nil : Int(recovery)))
            #expect(d.duration == Int(number(e["duration"])))
            #expect(close(d.depth, number(e["depth"])))
        }
        // The deepest is the one DrawdownInfo reports.
        let info = try #require(DrawdownInfo(returns: try Metrics.simpleReturns(daily.close)))
        #expect(worst.first?.trough == info.trough && worst.first?.peak == info.peak)
    }

    @Test func skewnessKurtosisAndRollingSharpeMatchScipyAndPandas() throws {
        let daily = try Fixtures.series("daily.csv")
        let ref = try reference()
        let r = try Metrics.simpleReturns(daily.close)
        #expect(close(Risk.skewness(r), number(ref["skewness"])))
        #expect(close(Risk.kurtosis(r), number(ref["kurtosis"])))
        expectClose(try Risk.rollingSharpe(r, window: 63), numbers(ref["rolling_sharpe_63"]), "rolling sharpe")
        #expect(Risk.skewness([0.1]).isNaN)
        #expect(throws: QuantError.self) { try Risk.rollingSharpe(r, window: 1) }
    }

    @Test func theCorrelationMatrixMatchesPandasOnDateAlignedReturns() throws {
        let ref = try #require(try reference()["correlation"] as? [String: Any])
        let daily = try Fixtures.series("daily.csv")
        let bench = try Fixtures.series("benchmark.csv")
        let port = try Fixtures.series("portfolio.csv")
        var curves = [(daily.timestamps, daily.close), (bench.timestamps, bench.close)]
        for s in ["AAA", "BBB", "CCC"] {
            let one = port.series(for: s)
            curves.append((one.timestamps, one.close))
        }
        let (matrix, aligned) = try Correlation.matrix(curves)
        #expect(aligned == Int(number(ref["aligned_count"])))
        let expected = (ref["matrix"] as? [Any] ?? []).map(numbers)
        #expect(matrix.count == expected.count)
        for (row, e) in zip(matrix, expected) { expectClose(row, e, relative: 1e-9, "correlation row") }
    }

    @Test func tradeStatisticsMatchThoseOfBacktestingPysTrades() throws {
        let daily = try Fixtures.series("daily.csv")
        let ref = try #require(try reference()["trade_statistics"] as? [String: Any])
        let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 10, "slow": 30])
        let result = try Backtester.run(daily, strategy: strategy, configuration: BacktestConfiguration(commission: 0.001))
        let s = TradeStatistics(trades: result.trades, positions: result.equity.shares)
        #expect(s.count == Int(number(ref["count"])) && s.wins == Int(number(ref["wins"])) && s.losses == Int(number(ref["losses"])))
        #expect(s.openTrades == Int(number(ref["open_trades"])))
        #expect(s.longestWinStreak == Int(number(ref["longest_win_streak"])))
        #expect(s.longestLossStreak == Int(number(ref["longest_loss_streak"])))
        let pairs: [(String, Double)] = [
            ("win_rate", s.winRate), ("profit_factor", s.profitFactor), ("average_win", s.averageWin),
            ("average_loss", s.averageLoss), ("average_win_return", s.averageWinReturn),
            ("average_loss_return", s.averageLossReturn), ("expectancy", s.expectancy),
            ("expectancy_return", s.expectancyReturn), ("average_bars_held", s.averageBarsHeld), ("exposure", s.exposure),
        ]
        // P&L comes from two independent backtesters: 1e-6 as the backtest fixtures.
        for (name, value) in pairs { #expect(close(value, number(ref[name]), relative: 1e-6), "\(name): \(value) vs \(number(ref[name]))") }
        #expect(s.winRate == result.summary.winRate && s.profitFactor == result.summary.profitFactor)
    }

    @Test func streaksAndEmptyTrades() {
        let s = TradeStatistics(
            profits: [1, 2, -1, 0, -2, -3, -1, 5], returns: [0.1, 0.2, -0.1, 0, -0.2, -0.3, -0.1, 0.5],
            barsHeld: [1, 1, 1, 1, 1, 1, 1, 1], openTrades: 0, exposure: 0.5)
        #expect(s.longestWinStreak == 2 && s.longestLossStreak == 3 && s.wins == 3 && s.losses == 4)
        let none = TradeStatistics(profits: [], returns: [], barsHeld: [], openTrades: 0, exposure: 0)
        #expect(none.winRate.isNaN && none.expectancy.isNaN && none.longestWinStreak == 0)
    }

    @Test func riskReportGathersEveryEstimate() throws {
        let daily = try Fixtures.series("daily.csv")
        let bench = try Fixtures.series("benchmark.csv")
        let metrics = try Fixtures.json("metrics_daily")
        let report = try RiskReport(timestamps: daily.timestamps, values: daily.close, benchmark: (bench.timestamps, bench.close), window: 20)
        let byName = Dictionary(
            uniqueKeysWithValues: report.valueAtRisk.map { ("var_\($0.method.rawValue)_\(Int(($0.confidence * 100).rounded()))", $0.value) })
        #expect(byName.count == 6)
        for (name, value) in byName { #expect(close(value, number(metrics[name])), "\(name)") }
        #expect(close(report.conditionalValueAtRisk[0], number(metrics["cvar_95"])))
        #expect(close(report.conditionalValueAtRisk[1], number(metrics["cvar_99"])))
        #expect(close(report.beta ?? .nan, number(metrics["beta"])))
        expectClose(Array(report.rollingVolatility.dropFirst(19)), numbers(metrics["rolling_volatility_20"]), "rolling volatility")
        #expect(report.worstDrawdowns.count == 5)
    }

    @Test func downsamplingKeepsTheEnds() {
        #expect(Downsampling.indices(count: 5, maxPoints: 10) == [0, 1, 2, 3, 4])
        #expect(Downsampling.indices(count: 101, maxPoints: 5) == [0, 25, 50, 75, 100])
        #expect(Downsampling.indices(count: 10, maxPoints: 1) == [9])
    }
}
