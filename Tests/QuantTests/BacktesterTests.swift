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
}
