/// The editable fields of a strategy, validated (``StrategyValidator``): what an insert or a
/// full update writes.
public struct StrategyDraft: Sendable, Equatable {
    /// The name (trimmed, 1–200 characters).
    public var name: String
    /// Free text (up to 2000 characters).
    public var description: String
    /// What it is for.
    public var strategyType: StrategyType
    /// What runs it.
    public var engine: StrategyEngine
    /// The registry kind (builtin).
    public var kind: String?
    /// Every parameter of the kind (defaults filled in).
    public var parameters: [String: Double]
    /// The service config (trademaster).
    public var config: TradeMasterConfig?
    /// Trading defaults.
    public var trading: TradingDefaults
    /// Tags (trimmed, distinct, at most 20).
    public var tags: [String]
    /// Category (up to 100 characters).
    public var category: String?
    /// The status to set (nil: leave as is; `draft` for a new strategy).
    public var status: StrategyStatus?

    /// A draft from its parts.
    public init(name: String, description: String = "", strategyType: StrategyType, engine: StrategyEngine, kind: String? = nil,
                parameters: [String: Double] = [:], config: TradeMasterConfig? = nil, trading: TradingDefaults = TradingDefaults(),
                tags: [String] = [], category: String? = nil, status: StrategyStatus? = nil) {
        self.name = name
        self.description = description
        self.strategyType = strategyType
        self.engine = engine
        self.kind = kind
        self.parameters = parameters
        self.config = config
        self.trading = trading
        self.tags = tags
        self.category = category
        self.status = status
    }

    /// The draft of an existing strategy (to apply a partial change to).
    public init(_ record: StrategyRecord) {
        self.init(name: record.name, description: record.description, strategyType: record.strategyType, engine: record.engine,
                  kind: record.kind, parameters: record.parameters, config: record.config, trading: record.trading,
                  tags: record.tags, category: record.category, status: nil)
    }
}
