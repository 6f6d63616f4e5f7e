import Testing

@testable import Quant

/// Strategy descriptors, parameter validation and crossover semantics.
@Suite struct StrategyRegistryTests {
    @Test func listsTheSixStrategies() {
        #expect(
            StrategyRegistry.names == [
                "buy_and_hold", "sma_crossover", "ema_crossover", "bollinger_reversion", "rsi_reversion", "momentum",
            ])
        #expect(StrategyRegistry.descriptors.allSatisfy { !$0.summary.isEmpty })
    }

    @Test func validationGivesPreciseMessages() {
        #expect(throws: StrategyError.invalidParameter(name: "fast", message: "fast must be an integer in 2...500")) {
            try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 1])
        }
        #expect(throws: StrategyError.invalidParameter(name: "fast", message: "fast must be an integer in 2...500")) {
            try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 2.5])
        }
        #expect(throws: StrategyError.invalidParameter(name: "fast", message: "fast (30) must be less than slow (20)")) {
            try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": 30, "slow": 20])
        }
        #expect(throws: StrategyError.self) { try StrategyRegistry.strategy(named: "nope") }
        #expect(throws: StrategyError.self) {
            try StrategyRegistry.strategy(named: "momentum", textParameters: ["lookback": "ten"])
        }
        #expect(throws: StrategyError.unknownParameter(name: "speed", strategy: "sma_crossover", known: ["fast", "slow"])) {
            try StrategyRegistry.strategy(named: "sma_crossover", textParameters: ["speed": "3"])
        }
        let message = StrategyError.invalidParameter(name: "fast", message: "fast must be an integer in 2...500").description
        #expect(message == "fast must be an integer in 2...500.")
    }

    @Test func defaultsAreFilledIn() throws {
        let s = try StrategyRegistry.strategy(named: "rsi_reversion", textParameters: ["lower": "25"])
        #expect(s.parameters == ["window": 14, "lower": 25, "upper": 70])
    }

    @Test func crossoverFiresOnlyOnAMoveFromBelowToAbove() {
        let fast: [Double] = [.nan, 5, 5, 3, 6, 6, 2]
        let slow: [Double] = [.nan, 4, 4, 4, 4, 4, 4]
        // Above at the start (bar 1) is not a cross; 3 → 6 is; 6 → 2 is a cross down.
        #expect(Strategy.crossovers(fast, slow) == [.hold, .hold, .hold, .short, .long, .hold, .short])
    }

    @Test func descriptorJSON() throws {
        let json = try StrategyRegistry.descriptor(named: "sma_crossover").json.rendered()
        #expect(json.contains(#""name":"fast","type":"integer","default":10,"minimum":2,"maximum":500"#))
    }
}

/// The fused SMA-crossover kernel must agree exactly with crossovers of `Indicators.sma`.
@Suite struct SMACrossoverKernelTests {
    @Test(arguments: [(2, 3), (5, 20), (10, 30)])
    func fusedKernelMatchesSeparateAverages(fast: Int, slow: Int) throws {
        // Decimal prices with many flat stretches produce exact ties between the averages.
        var x: [Double] = []
        var p = 100.0
        for i in 0..<3000 {
            if i % 7 != 0 { p = (p + Double((i * 7919) % 11 - 5) * 0.01 * 100).rounded() / 100 }
            x.append(max(p, 1))
        }
        let expected = Strategy.crossovers(try Indicators.sma(x, window: fast), try Indicators.sma(x, window: slow))
        #expect(Strategy.smaCrossovers(x, fast: fast, slow: slow) == expected)
    }
}
