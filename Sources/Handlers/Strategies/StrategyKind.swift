import Quant
import TMFcgi

/// A built-in strategy kind as `GET /api/v1/strategies/kinds` lists it.
public struct StrategyKind: Codable, Sendable {
    /// One parameter: type, default, inclusive range, description.
    public struct Parameter: Codable, Sendable {
        /// Its name in `parameters`.
        public var name: String
        /// `integer` or `number`.
        public var type: String
        /// The value when none is given.
        public var `default`: Double
        /// The smallest valid value.
        public var minimum: Double
        /// The largest valid value.
        public var maximum: Double
        /// What it does.
        public var description: String
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

    /// The kind of `descriptor`.
    init(_ descriptor: StrategyDescriptor) {
        name = descriptor.name
        description = descriptor.summary
        supportsShort = descriptor.supportsShort
        parameters = descriptor.parameters.map {
            Parameter(name: $0.name, type: $0.kind.rawValue, default: $0.defaultValue, minimum: $0.range.lowerBound,
                      maximum: $0.range.upperBound, description: $0.summary)
        }
        let names = Set(descriptor.parameters.map(\.name))
        constraints = (names.isSuperset(of: ["fast", "slow"]) ? ["fast < slow"] : [])
            + (names.isSuperset(of: ["lower", "upper"]) ? ["lower < upper"] : [])
    }
}

/// The answer of `GET /api/v1/strategies/kinds`.
public struct StrategyKinds: ResponseEncodable, Codable, Sendable {
    /// Every kind, in documentation order.
    public var items: [StrategyKind]
}
