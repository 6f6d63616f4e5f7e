/// A validated portfolio strategy: how target weights are chosen and when they are restored.
///
/// Build one through `PortfolioRegistry.strategy(named:values:)`, which validates.
import Support

public struct PortfolioStrategy: Sendable, Equatable {
    /// How the target weights are chosen at a rebalance.
    public enum Weighting: Sendable, Equatable {
        /// 1/N each.
        case equal
        /// Proportional to 1 / std(returns of the last `lookback` bars, ddof = 1).
        case inverseVolatility(lookback: Int)
        /// A single-symbol strategy run on each symbol; a symbol's weight is its position
        /// (1 long, 0 flat, −1 short) / N, so the capital is split equally between the symbols.
        case signal(Strategy)
    }

    /// The registry entry (name, parameters' specs).
    public let descriptor: StrategyDescriptor
    /// Every parameter's value, defaults filled in (a choice as its index).
    public let parameters: [String: Double]
    /// How weights are chosen.
    public let weighting: Weighting
    /// When they are restored.
    public let schedule: RebalanceSchedule

    /// The strategy's name (`equal_weight`, `portfolio_sma_crossover`, …).
    public var name: String { descriptor.name }

    /// A strategy from validated parameters (the registry's job).
    init(descriptor: StrategyDescriptor, parameters: [String: Double], weighting: Weighting, schedule: RebalanceSchedule) {
        self.descriptor = descriptor
        self.parameters = parameters
        self.weighting = weighting
        self.schedule = schedule
    }

    /// The parameters as JSON (choices by name), e.g. for a run's snapshot.
    public var parametersJSON: JSONDocument {
        .object(
            descriptor.parameters.map { spec in
                let v = parameters[spec.name] ?? spec.defaultValue
                return (spec.name, spec.kind == .choice ? .string(spec.choiceName(v) ?? "") : .finite(v))
            })
    }
}
