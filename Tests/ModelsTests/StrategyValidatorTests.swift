import Testing
@testable import Models

/// Validation of strategy definitions against the Quant registry and the TradeMaster
/// catalogue (pure: no database).
@Suite struct StrategyValidatorTests {
    func input(kind: String? = "sma_crossover", parameters: [String: JSONDocument] = [:], engine: StrategyEngine = .builtin,
               config: TradeMasterConfig? = nil, type: StrategyType = .algorithmicTrading) -> StrategyValidator.Input {
        StrategyValidator.Input(name: " A name ", description: "", strategyType: type, engine: engine, kind: kind, parameters: parameters,
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

    @Test func trademasterConfigIsNormalisedAgainstTheCatalogue() {
        let config = TradeMasterConfig(taskName: "order_execution", datasetName: "PD_BTC", agentName: "order_execution:pd",
                                       optimizerName: "adam", lossName: "mse")
        let (draft, issues) = StrategyValidator.validate(input(kind: nil, engine: .trademaster, config: config, type: .orderExecution))
        #expect(issues.isEmpty)
        #expect(draft?.config?.datasetName == "order_execution:PD_BTC" && draft?.config?.agentName == "order_execution:pd")
        #expect(fields(input(kind: nil, engine: .trademaster, config: config)) == ["/config/task_name"])
        var wrong = config
        wrong.agentName = "algorithmic_trading:deepscalper"
        #expect(fields(input(kind: nil, engine: .trademaster, config: wrong, type: .orderExecution)) == ["/config/agent_name"])
        let live = TradeMasterCatalogue(tasks: ["order_execution"], datasets: ["order_execution:BTC"], agents: ["order_execution:eteo"],
                                        optimizers: ["adam"], losses: ["mse"])
        #expect(StrategyValidator.validate(input(kind: nil, engine: .trademaster, config: config, type: .orderExecution), catalogue: live)
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
