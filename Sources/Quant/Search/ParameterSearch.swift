/// A parameter search over a built-in strategy: each candidate is backtested on the training
/// part and on the validation part of a chronological split; the candidate with the best
/// validation score is then backtested once on the test part. The pieces are pure and
/// independent per trial, so callers may evaluate trials on any threads; candidates and the
/// choice of the best depend only on the configuration (and `seed`), never on timing.
public struct ParameterSearch: Sendable {
    /// How candidates are chosen.
    public enum Method: String, Sendable, CaseIterable {
        /// Every combination of the space (at most `maxTrials`).
        case grid
        /// `maxTrials` combinations drawn from the space with the seeded generator.
        case random
    }

    /// The strategy's registry name.
    public let strategy: String
    /// Values of the parameters that are not searched (the strategy's current ones).
    public let fixed: [String: Double]
    /// The searched values.
    public let space: ParameterSpace
    /// Grid or random.
    public let method: Method
    /// The most trials.
    public let maxTrials: Int
    /// What is maximised.
    public let objective: SearchObjective
    /// The random method's seed.
    public let seed: UInt64
    /// The fraction of bars for training.
    public let trainFraction: Double
    /// The fraction of bars for validation (the rest is the test part).
    public let validationFraction: Double
    /// The backtest's rules.
    public let backtest: BacktestConfiguration

    /// The largest `maxTrials`.
    public static let trialLimit = 100_000

    /// A validated search. Throws `StrategyError.invalidParameter` naming the faulty field
    /// (`space`, a parameter name, `max_trials`, `split`).
    public init(
        strategy: String, fixed: [String: Double] = [:], space: ParameterSpace, method: Method, maxTrials: Int,
        objective: SearchObjective, seed: UInt64 = 0, trainFraction: Double = 0.6, validationFraction: Double = 0.2,
        backtest: BacktestConfiguration = BacktestConfiguration()
    ) throws(StrategyError) {
        let descriptor = try StrategyRegistry.descriptor(named: strategy)
        guard descriptor.parameters.isEmpty == false else {
            throw .invalidParameter(name: "strategy", message: "\(strategy) has no parameters to search")
        }
        self.space = try space.validated(for: descriptor)
        guard (1...Self.trialLimit).contains(maxTrials) else {
            throw .invalidParameter(name: "max_trials", message: "max_trials must be an integer in 1...\(Self.trialLimit)")
        }
        if method == .grid, space.gridSize > maxTrials {
            throw .invalidParameter(
                name: "max_trials",
                message:
                    "the grid has \(space.gridSize == Int.max ? "too many" : String(space.gridSize)) combinations, more than max_trials (\(maxTrials)); narrow the space, raise max_trials or use method random"
            )
        }
        guard trainFraction > 0, validationFraction > 0, trainFraction + validationFraction < 1 else {
            throw .invalidParameter(name: "split", message: "split needs train > 0, valid > 0 and train + valid < 1 (the rest is the test part)")
        }
        self.strategy = strategy
        self.fixed = fixed
        self.method = method
        self.maxTrials = maxTrials
        self.objective = objective
        self.seed = seed
        self.trainFraction = trainFraction
        self.validationFraction = validationFraction
        self.backtest = backtest
    }

    /// How many candidates ``candidates()`` lists, without listing them.
    public var candidateCount: Int {
        switch method {
        case .grid: return space.gridSize
        case .random: return maxTrials
        }
    }

    /// The combinations to try, in trial order.
    public func candidates() -> [[String: Double]] {
        switch method {
        case .grid:
            return (0..<space.gridSize).map(space.gridPoint)
        case .random:
            var generator = SplitMix64(seed: seed)
            return (0..<maxTrials).map { _ in space.randomPoint(using: &generator) }
        }
    }

    /// Nil when at least one candidate makes a valid strategy; else why the first one does
    /// not (every point of `fast` 20…30 against `slow` 5…10 breaks `fast < slow`). Walks the
    /// candidates in trial order without listing them and stops at the first valid one, so a
    /// request can be refused before it is accepted instead of failing every trial later.
    public var noValidCandidate: String? {
        var generator = SplitMix64(seed: seed)
        var first: String?
        for index in 0..<candidateCount {
            let point = method == .grid ? space.gridPoint(index) : space.randomPoint(using: &generator)
            do {
                _ = try strategy(with: point)
                return nil
            } catch {
                if first == nil { first = error.description }
            }
        }
        return first
    }

    /// The split of `series` into training, validation and test parts (chronological).
    public func parts(of series: OHLCVSeries) throws(QuantError) -> (train: OHLCVSeries, validation: OHLCVSeries, test: OHLCVSeries) {
        let split = try DataSplit(count: series.count, train: trainFraction, validation: validationFraction)
        for (name, part) in [("train", split.train), ("valid", split.validation), ("test", split.test)] where part.count < 2 {
            throw .insufficientData(what: "the \(name) part of the split", required: 2, actual: part.count)
        }
        return split.apply(to: series)
    }

    /// The strategy with `parameters` over the fixed ones.
    public func strategy(with parameters: [String: Double]) throws(StrategyError) -> Strategy {
        try StrategyRegistry.strategy(named: strategy, parameters: fixed.merging(parameters) { $1 })
    }

    /// Backtests candidate `index` on the training and validation parts.
    public func evaluate(index: Int, parameters: [String: Double], train: OHLCVSeries, validation: OHLCVSeries) -> SearchTrial {
        do {
            let chosen = try strategy(with: parameters)
            return SearchTrial(
                index: index, parameters: parameters, trainScore: try score(chosen, on: train),
                validScore: try score(chosen, on: validation))
        } catch let error as StrategyError {
            return SearchTrial(index: index, parameters: parameters, trainScore: .nan, validScore: .nan, error: error.description)
        } catch {
            return SearchTrial(index: index, parameters: parameters, trainScore: .nan, validScore: .nan, error: "\(error)")
        }
    }

    /// The objective of one backtest of `chosen` on `series`: the same number as
    /// `objective.score(Backtester.run(…).metrics)` (the same checks, simulation and metric
    /// function), without the rest of the full result (trade summary, other metrics).
    func score(_ chosen: Strategy, on series: OHLCVSeries) throws(QuantError) -> Double {
        let config = try backtest.validated()
        let r = try Metrics.simpleReturns(try Backtester.simulate(series, strategy: chosen, configuration: config).equity.equity)
        let periods = config.periodsPerYear
        switch objective {
        case .sharpe: return Metrics.sharpeRatio(r, periodsPerYear: periods)
        case .sortino: return Metrics.sortinoRatio(r, periodsPerYear: periods)
        case .calmar: return Metrics.calmarRatio(r, periodsPerYear: periods)
        case .totalReturn: return Metrics.cumulativeReturn(r)
        }
    }

    /// The trial with the best validation score (the earliest of equals); nil when no trial
    /// has a score.
    public static func best(of trials: [SearchTrial]) -> SearchTrial? {
        var best: SearchTrial?
        for trial in trials.sorted(by: { $0.index < $1.index }) where trial.error == nil && !trial.validScore.isNaN {
            if let current = best {
                if SearchObjective.better(trial.validScore, than: current.validScore) { best = trial }
            } else {
                best = trial
            }
        }
        return best
    }

    /// The one backtest on the test part, of the best trial's parameters.
    public func report(_ best: SearchTrial, test: OHLCVSeries) throws -> BacktestResult {
        try Backtester.run(test, strategy: try strategy(with: best.parameters), configuration: backtest)
    }
}
