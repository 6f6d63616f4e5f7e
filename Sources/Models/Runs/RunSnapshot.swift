/// What a run ran, copied from the strategy when it was executed: editing the strategy later
/// does not change a past run.
public struct RunSnapshot: Codable, Sendable, Equatable {
    /// The strategy's name then (nil for an inline strategy).
    public var name: String?
    /// The registry kind.
    public var kind: String
    /// Every parameter's value.
    public var parameters: [String: Double]
    /// The strategy's type.
    public var strategyType: StrategyType
    /// The engine (builtin).
    public var engine: StrategyEngine
    /// The trading rules in force (the strategy's defaults with execute's overrides).
    public var trading: TradingDefaults
    /// The strategy's version (nil for an inline strategy).
    public var version: Int64?
    /// Paper runs: bars replayed per second.
    public var barsPerSecond: Double?

    /// A snapshot from its parts.
    public init(
        name: String?, kind: String, parameters: [String: Double], strategyType: StrategyType, engine: StrategyEngine,
        trading: TradingDefaults, version: Int64?, barsPerSecond: Double?
    ) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.strategyType = strategyType
        self.engine = engine
        self.trading = trading
        self.version = version
        self.barsPerSecond = barsPerSecond
    }
}
