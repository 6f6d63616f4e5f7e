import Testing

@testable import Quant

/// The pure pieces of the parameter search: candidates, validation, selection, and that the
/// best trial equals a plain loop over `Backtester.run` on the same split.
struct ParameterSearchTests {
    @Test func gridEnumeratesEveryCombinationInOrder() throws {
        let space = ParameterSpace(["fast": .range(min: 5, max: 15, step: 5), "slow": .values([20, 40])])
        let search = try ParameterSearch(strategy: "sma_crossover", space: space, method: .grid, maxTrials: 6, objective: .sharpe)
        #expect(
            search.candidates() == [
                ["fast": 5, "slow": 20], ["fast": 5, "slow": 40], ["fast": 10, "slow": 20],
                ["fast": 10, "slow": 40], ["fast": 15, "slow": 20], ["fast": 15, "slow": 40],
            ])
        #expect(ParameterSpace.values(of: .range(min: 0.1, max: 0.5, step: 0.1)) == [0.1, 0.2, 0.3, 0.4, 0.5])
    }

    @Test func randomIsDeterministicForASeed() throws {
        let space = ParameterSpace(["fast": .range(min: 2, max: 50, step: 1), "slow": .range(min: 20, max: 200, step: 5)])
        func draw(_ seed: UInt64) throws -> [[String: Double]] {
            try ParameterSearch(strategy: "sma_crossover", space: space, method: .random, maxTrials: 50, objective: .sharpe, seed: seed).candidates()
        }
        #expect(try draw(7) == draw(7))
        #expect(try draw(7) != draw(8))
        #expect(try draw(7).allSatisfy { (2...50).contains($0["fast"]!) && (20...200).contains($0["slow"]!) })
    }

    /// Draws and grid points read a range's value at an index instead of listing the range
    /// (issue 20: 100,000 draws over a 100,000-value range listed it 100,000 times).
    @Test func valuesAtAnIndexEqualTheListAndCountsNeedNoList() throws {
        for dimension: ParameterSpace.Dimension in [.range(min: 0.1, max: 0.5, step: 0.1), .range(min: 2, max: 99_999, step: 1), .values([3, 1, 2])] {
            let values = ParameterSpace.values(of: dimension)
            #expect(ParameterSpace.count(of: dimension) == values.count)
            for index in [0, values.count / 2, values.count - 1] { #expect(ParameterSpace.value(of: dimension, at: index) == values[index]) }
        }
        let wide = ParameterSpace(["fast": .range(min: 2, max: 499, step: 1), "slow": .range(min: 3, max: 500, step: 1)])
        let random = try ParameterSearch(strategy: "sma_crossover", space: wide, method: .random, maxTrials: 100_000, objective: .sharpe, seed: 1)
        let drawn = random.candidates()
        #expect(random.candidateCount == drawn.count && drawn.count == 100_000)
        #expect(drawn.allSatisfy { (2...499).contains($0["fast"]!) && $0["fast"] == $0["fast"]!.rounded() && (3...500).contains($0["slow"]!) })
        let grid = try ParameterSearch(
            strategy: "sma_crossover", space: ParameterSpace(["fast": .range(min: 5, max: 15, step: 5), "slow": .values([20, 40])]),
            method: .grid, maxTrials: 6, objective: .sharpe)
        #expect(grid.candidateCount == grid.candidates().count)
    }

    @Test func invalidSearchesNameTheirField() {
        func field(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch {
                guard let error = error as? StrategyError else { return "?" }
                switch error {
                case .invalidParameter(let name, _): return name
                case .unknownParameter(let name, _, _): return name
                case .unknownStrategy: return "strategy"
                }
            }
        }
        #expect(
            field {
                _ = try ParameterSearch(
                    strategy: "sma_crossover", space: ParameterSpace(["nope": .values([1])]), method: .grid, maxTrials: 1, objective: .sharpe)
            } == "nope")
        #expect(
            field {
                _ = try ParameterSearch(
                    strategy: "sma_crossover", space: ParameterSpace(["fast": .values([1])]), method: .grid, maxTrials: 1, objective: .sharpe)
            } == "fast")
        #expect(
            field {
                _ = try ParameterSearch(
                    strategy: "sma_crossover", space: ParameterSpace(["fast": .range(min: 2, max: 100, step: 1)]), method: .grid, maxTrials: 10,
                    objective: .sharpe)
            } == "max_trials")
        #expect(
            field {
                _ = try ParameterSearch(
                    strategy: "sma_crossover", space: ParameterSpace(["fast": .values([5])]), method: .grid, maxTrials: 1, objective: .sharpe,
                    trainFraction: 0.9, validationFraction: 0.1)
            } == "split")
    }

    @Test func bestOnValidationEqualsAPlainLoop() throws {
        let series = try Fixtures.series("daily.csv")
        let space = ParameterSpace(["fast": .range(min: 4, max: 20, step: 4), "slow": .values([25, 40, 60])])
        let search = try ParameterSearch(
            strategy: "sma_crossover", space: space, method: .grid, maxTrials: 100, objective: .sharpe,
            trainFraction: 0.5, validationFraction: 0.25)
        let parts = try search.parts(of: series)
        let trials = search.candidates().enumerated().map {
            search.evaluate(index: $0.offset, parameters: $0.element, train: parts.train, validation: parts.validation)
        }
        let best = try #require(ParameterSearch.best(of: trials))

        // The same by hand: DataSplit's rows, the registry and the backtester.
        let split = try DataSplit(count: series.count, train: 0.5, validation: 0.25)
        var bestParameters: [String: Double]?
        var bestScore = -Double.infinity
        for fast in stride(from: 4.0, through: 20, by: 4) {
            for slow in [25.0, 40, 60] {
                let strategy = try StrategyRegistry.strategy(named: "sma_crossover", parameters: ["fast": fast, "slow": slow])
                let valid = try Backtester.run(series.rows(Array(split.validation)), strategy: strategy)
                if valid.metrics.sharpe > bestScore { (bestScore, bestParameters) = (valid.metrics.sharpe, ["fast": fast, "slow": slow]) }
            }
        }
        #expect(best.parameters == bestParameters)
        #expect(best.validScore == bestScore)
        let test = try search.report(best, test: parts.test)
        let expected = try Backtester.run(
            series.rows(Array(split.test)),
            strategy: try StrategyRegistry.strategy(named: "sma_crossover", parameters: bestParameters!))
        #expect(test.metrics == expected.metrics)
    }

    @Test func invalidCombinationsAreRecordedNotChosen() throws {
        let series = try Fixtures.series("daily.csv")
        let search = try ParameterSearch(
            strategy: "sma_crossover", space: ParameterSpace(["fast": .values([10, 50]), "slow": .values([30])]),
            method: .grid, maxTrials: 2, objective: .totalReturn)
        let parts = try search.parts(of: series)
        let trials = search.candidates().enumerated().map {
            search.evaluate(index: $0.offset, parameters: $0.element, train: parts.train, validation: parts.validation)
        }
        #expect(trials[1].error?.contains("must be less than slow") == true && trials[1].validScore.isNaN)
        #expect(ParameterSearch.best(of: trials)?.index == 0)
    }
}
