/// A strategy's public description: name, summary, parameters and whether it can go short.
public struct StrategyDescriptor: Sendable, Equatable {
    /// The registry key (`sma_crossover`, …).
    public var name: String
    /// What it does, for the API documentation.
    public var summary: String
    /// Its parameters, in documentation order.
    public var parameters: [ParameterSpec]
    /// Whether its exit signals may open short positions when the backtest allows shorting.
    public var supportsShort: Bool

    /// Creates a descriptor.
    public init(name: String, summary: String, parameters: [ParameterSpec], supportsShort: Bool) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.supportsShort = supportsShort
    }

    /// The spec of a parameter by name.
    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }
}
