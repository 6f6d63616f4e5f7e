import Quant
import TMFcgi

/// A built-in strategy kind as `GET /api/v1/strategies/kinds` lists it.
public struct StrategyKind: Codable, Sendable {
    /// One parameter: type, default, inclusive range, description.
    public struct Parameter: Codable, Sendable {
        /// Its name in `parameters`.
        public var name: String
        /// `integer`, `number` or `choice` (a string, one of `choices`).
        public var type: String
        /// The value when none is given (a choice's index in `choices`).
        public var `default`: Double
        /// The smallest valid value (a choice's: 0).
        public var minimum: Double
        /// The largest valid value (a choice's: its last index).
        public var maximum: Double
        /// What it does.
        public var description: String
        /// The names a `choice` parameter takes, in index order (null for numbers).
        public var choices: [String]?
        /// A choice's default by name (null for numbers).
        public var defaultChoice: String?
    }

    /// The registry name (`sma_crossover`).
    public var name: String
    /// What it does.
    public var description: String
    /// Whether exit signals may open shorts (with `trading.allow_short`).
    public var supportsShort: Bool
    /// Its parameters.
    public var parameters: [Parameter]
    /// Rules between parameters (`fast < slow`).
    public var constraints: [String]
    /// The strategy type it needs: `portfolio_management` for a portfolio kind (several
    /// symbols, `symbols` on execute), null for a single-symbol kind (any type).
    public var strategyType: String?

    /// The kind of `descriptor`.
    init(_ descriptor: StrategyDescriptor, portfolio: Bool = false) {
        name = descriptor.name
        description = descriptor.summary
        supportsShort = descriptor.supportsShort
        parameters = descriptor.parameters.map {
            Parameter(
                name: $0.name, type: $0.kind.rawValue, default: $0.defaultValue, minimum: $0.range.lowerBound,
                maximum: $0.range.upperBound, description: $0.summary,
                choices: $0.kind == .choice ? $0.choices : nil, defaultChoice: $0.choiceName($0.defaultValue))
        }
        strategyType = portfolio ? "portfolio_management" : nil
        let names = Set(descriptor.parameters.map(\.name))
        constraints =
            (names.isSuperset(of: ["fast", "slow"]) ? ["fast < slow"] : [])
            + (names.isSuperset(of: ["lower", "upper"]) ? ["lower < upper"] : [])
    }
}

/// The answer of `GET /api/v1/strategies/kinds`.
public struct StrategyKinds: ResponseEncodable, Codable, Sendable {
    /// Every kind, in documentation order.
    public var items: [StrategyKind]
}
