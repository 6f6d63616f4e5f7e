import Testing

@testable import Models
@testable import PostgresClient
@testable import Support
@testable import TradeMasterAPI

/// Validation of strategy definitions against the Quant registry and the TradeMaster
/// catalogue (pure: no database).
@Suite struct StrategyValidatorTests {
    func input(
        kind: String? = "sma_crossover", parameters: [String: JSONDocument] = [:], engine: StrategyEngine = .builtin,
        config: TradeMasterConfig? = nil, type: StrategyType = .algorithmicTrading
    ) -> StrategyValidator.Input {
        StrategyValidator.Input(
            name: " A name ", description: "", strategyType: type, engine: engine, kind: kind, parameters: parameters,
            config: config, trading: TradingDefaults(), tags: ["x", "x", "y"], category: "", status: nil)
    }

    func fields(_ input: StrategyValidator.Input) -> [String] {
        StrategyValidator.validate(input).1.map(\.field)
    }

    @Test func builtinParametersGetDefaultsAndPointers() {
        let (draft, issues) = StrategyValidator.validate(input(parameters: ["fast": .integer(5)]))
        #expect(issues.isEmpty)
        #expect(draft?.parameters == ["fast": 5, "slow": 30] && draft?.name == "A name" && draft?.tags == ["x", "y"])
        #expect(draft?.category == nil)
        #expect(fields(input(parameters: ["fast": .integer(30), "slow": .integer(30)])) == ["/parameters/fast"])
        #expect(fields(input(parameters: ["fast": .string("5")])) == ["/parameters/fast"])
        #expect(fields(input(parameters: ["fast": .number(5.5)])) == ["/parameters/fast"])
        #expect(fields(input(parameters: ["fast": .integer(501)])) == ["/parameters/fast"])
        #expect(fields(input(parameters: ["a/b": .integer(1)])) == ["/parameters/a~1b"])
        #expect(fields(input(kind: "nope")) == ["/kind"])
        #expect(fields(input(kind: nil)) == ["/kind"])
        #expect(fields(input(kind: "rsi_reversion", parameters: ["lower": .integer(70)])) == ["/parameters/lower"])
    }

    @Test func portfolioKindsTakeChoicesByNameAndNeedThePortfolioType() {
        let (draft, issues) = StrategyValidator.validate(
            input(
                kind: "inverse_volatility", parameters: ["rebalance": .string("weekly")],
                type: .portfolioManagement))
        #expect(issues.isEmpty)
        // The choice is kept as its index in the spec's choices (daily, weekly, monthly, bars).
        #expect(draft?.parameters == ["lookback": 20, "rebalance": 1, "rebalance_bars": 21])
        #expect(fields(input(kind: "equal_weight", type: .algorithmicTrading)) == ["/strategy_type"])
        #expect(
            fields(input(kind: "equal_weight", parameters: ["rebalance": .string("hourly")], type: .portfolioManagement)) == ["/parameters/rebalance"]
        )
        #expect(fields(input(kind: "equal_weight", parameters: ["rebalance": .integer(1)], type: .portfolioManagement)) == ["/parameters/rebalance"])
        #expect(
            fields(input(kind: "equal_weight", parameters: ["rebalance_bars": .string("5")], type: .portfolioManagement)) == [
                "/parameters/rebalance_bars"
            ])
        #expect(
            fields(
                input(
                    kind: "portfolio_sma_crossover", parameters: ["fast": .integer(30), "slow": .integer(20)],
                    type: .portfolioManagement)) == ["/parameters/fast"])
        // A stored portfolio strategy validates again as it is (its choice back to its name).
        let record = StrategyValidator.Input(
            name: "p", description: "", strategyType: .portfolioManagement, engine: .builtin,
            kind: "equal_weight", parameters: StrategyValidator.clientParameters(kind: "equal_weight", ["rebalance": 2]),
            config: nil, trading: TradingDefaults(), tags: [], category: nil, status: nil)
        #expect(record.parameters["rebalance"] == .string("monthly"))
        #expect(StrategyValidator.validate(record).0?.parameters["rebalance"] == 2)
    }

    @Test func trademasterConfigIsNormalisedAgainstTheCatalogue() {
        let config = TradeMasterConfig(
            taskName: "order_execution", datasetName: "PD_BTC", agentName: "order_execution:pd",
            optimizerName: "adam", lossName: "mse")
        let (draft, issues) = StrategyValidator.validate(input(kind: nil, engine: .trademaster, config: config, type: .orderExecution))
        #expect(issues.isEmpty)
        #expect(draft?.config?.datasetName == "order_execution:PD_BTC" && draft?.config?.agentName == "order_execution:pd")
        #expect(fields(input(kind: nil, engine: .trademaster, config: config)) == ["/config/task_name"])
        var wrong = config
        wrong.agentName = "algorithmic_trading:deepscalper"
        #expect(fields(input(kind: nil, engine: .trademaster, config: wrong, type: .orderExecution)) == ["/config/agent_name"])
        let live = TradeMasterCatalogue(
            tasks: ["order_execution"], datasets: ["order_execution:BTC"], agents: ["order_execution:eteo"],
            optimizers: ["adam"], losses: ["mse"])
        #expect(
            StrategyValidator.validate(input(kind: nil, engine: .trademaster, config: config, type: .orderExecution), catalogue: live)
                .1.map(\.field) == ["/config/dataset_name", "/config/agent_name"])
    }

    @Test func minimumBarsIsOneMoreThanTheLongestWindow() {
        #expect(RunService.minimumBars(["fast": 10, "slow": 30]) == 31)
        #expect(RunService.minimumBars(["window": 20, "k": 2]) == 21)
        #expect(RunService.minimumBars([:]) == 2)
    }

    @Test func arrayLiteralsRoundTrip() {
        #expect(SQLArray([1.5, nil, -2e-5]).sqlText == "{1.5,NULL,-2e-05}")
        #expect(SQLArray.parseDoubles("{1.5,NULL,-2e-05}") == [1.5, nil, -2e-05])
        #expect(SQLArray.parseIntegers("{}") == [])
        #expect(SQLArray(words: ["long", "a\"b"]).sqlText == "{\"long\",\"a\\\"b\"}")
        let drawdown = RunSeries(times: [1, 2, 3, 4], equity: [100, 110, 99, 120], cash: [0, 0, 0, 0], position: [0, 0, 0, 0]).drawdown
        #expect(drawdown == [0, 0, 99.0 / 110 - 1, 0])
    }
}
