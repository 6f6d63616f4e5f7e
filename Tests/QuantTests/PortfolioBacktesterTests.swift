import Testing

@testable import Quant

/// Portfolio backtests against the numpy/pandas/scipy reference (fixture portfolio_backtests,
/// scripts/quant-reference/generate_analysis.py): equity and cash per bar, fill bars, final
/// shares and total cost within 1e-9 relative.
@Suite struct PortfolioBacktesterTests {
    static let cases = [
        "equal_weight_monthly", "equal_weight_daily", "equal_weight_bars", "inverse_volatility_weekly",
        "signal_sma_monthly", "signal_sma_short_bars",
    ]

    static func parameterValues(_ any: Any?) -> [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        for (k, v) in any as? [String: Any] ?? [:] {
            out[k] = (v as? String).map(ParameterValue.text) ?? .number(number(v))
        }
        return out
    }

    @Test(arguments: cases)
    func matchesTheReference(name: String) throws {
        let ref = try Fixtures.json("portfolio_backtests")
        let all = try #require(ref["cases"] as? [[String: Any]])
        let c = try #require(all.first { $0["name"] as? String == name })
        let universe = try PortfolioUniverse(try Fixtures.series("portfolio.csv"))
        #expect(universe.symbols == ref["symbols"] as? [String])
        #expect(universe.count == (ref["dates"] as? [Any])?.count)
        let strategy = try PortfolioRegistry.strategy(named: try #require(c["kind"] as? String), values: Self.parameterValues(c["parameters"]))
        let config = BacktestConfiguration(
            cash: number(c["cash"]), commission: number(c["commission"]), slippageBasisPoints: number(c["slippage_bps"]),
            allowShort: c["allow_short"] as? Bool ?? false)
        let result = try PortfolioBacktester.run(universe, strategy: strategy, configuration: config)
        expectClose(result.equity, numbers(c["equity"]), "\(name) equity")
        // Cash is often a rounding residue of zero (fully invested): 1e-6 in currency (1e-11 of the capital).
        let cash = numbers(c["cash_series"])
        #expect(result.cash.count == cash.count)
        let badCash = zip(result.cash, cash).enumerated().first { !close($0.element.0, $0.element.1, absolute: 1e-6) }
        #expect(badCash == nil, "\(name) cash[\(badCash?.offset ?? 0)]: \(badCash.map { "\($0.element)" } ?? "")")
        #expect(result.rebalances.map(\.bar) == numbers(c["fills"]).map { Int($0) }, "\(name) fills")
        expectClose(result.finalShares, numbers(c["final_shares"]), "\(name) final shares")
        #expect(close(result.totalCost, number(c["total_cost"]), absolute: 1e-9), "\(name) cost \(result.totalCost)")
        #expect(close(result.metrics.sharpe, number(c["sharpe"])), "\(name) sharpe")
        #expect(close(result.metrics.maxDrawdown, number(c["max_drawdown"])), "\(name) max drawdown")
    }

    @Test func theRegistryDeclaresEveryKindWithItsSpecs() throws {
        #expect(PortfolioRegistry.names.prefix(2) == ["equal_weight", "inverse_volatility"])
        #expect(PortfolioRegistry.names.contains("portfolio_sma_crossover"))
        #expect(Set(PortfolioRegistry.names).isDisjoint(with: StrategyRegistry.names))
        let json = try PortfolioRegistry.descriptor(named: "inverse_volatility").json.rendered()
        #expect(json.contains(#""name":"rebalance","type":"string","default":"monthly","enum":["daily","weekly","monthly","bars"]"#))
        #expect(json.contains(#""name":"lookback","type":"integer","default":20,"minimum":2,"maximum":1000"#))
        let s = try PortfolioRegistry.strategy(named: "portfolio_sma_crossover", values: ["fast": .number(5), "slow": .number(20)])
        #expect(s.schedule == .daily)
        #expect(s.parametersJSON.rendered() == #"{"fast":5,"slow":20,"rebalance":"daily","rebalance_bars":21}"#)
    }

    @Test func badParametersNameTheField() {
        #expect(throws: StrategyError.invalidParameter(name: "rebalance", message: "rebalance must be one of daily, weekly, monthly, bars")) {
            try PortfolioRegistry.strategy(named: "equal_weight", values: ["rebalance": .text("hourly")])
        }
        #expect(throws: StrategyError.invalidParameter(name: "rebalance", message: "rebalance must be one of daily, weekly, monthly, bars")) {
            try PortfolioRegistry.strategy(named: "equal_weight", values: ["rebalance": .number(1)])
        }
        #expect(throws: StrategyError.invalidParameter(name: "lookback", message: "lookback must be an integer in 2...1000")) {
            try PortfolioRegistry.strategy(named: "inverse_volatility", values: ["lookback": .text("20")])
        }
        #expect(throws: StrategyError.invalidParameter(name: "fast", message: "fast (30) must be less than slow (20)")) {
            try PortfolioRegistry.strategy(named: "portfolio_sma_crossover", values: ["fast": .number(30), "slow": .number(20)])
        }
        #expect(throws: StrategyError.unknownParameter(name: "k", strategy: "equal_weight", known: ["rebalance", "rebalance_bars"])) {
            try PortfolioRegistry.strategy(named: "equal_weight", values: ["k": .number(2)])
        }
    }

    @Test func aMissingSymbolOrTooFewCommonBarsIsAnError() throws {
        let series = try Fixtures.series("portfolio.csv")
        #expect(throws: QuantError.invalidArgument(name: "symbols", reason: "includes ZZZ, which is not in the data")) {
            try PortfolioUniverse(series, symbols: ["AAA", "ZZZ"])
        }
        let two = try PortfolioUniverse(series, symbols: ["BBB", "AAA"])
        #expect(two.symbols == ["BBB", "AAA"] && two.series[0].close.count == two.count)
    }

    @Test func calendarKeysStartWeeksOnMonday() {
        // 2024-03-03 is a Sunday, 2024-03-04 a Monday.
        let sunday: Int64 = 1_709_424_000
        let monday = sunday + 86_400
        #expect(RebalanceSchedule.week(sunday) != RebalanceSchedule.week(monday))
        #expect(RebalanceSchedule.week(monday) == RebalanceSchedule.week(monday + 6 * 86_400))
        #expect(RebalanceSchedule.month(monday) == 2024 * 12 + 2)
    }
}
