import Support

/// The editable fields of a strategy, with `Parameters` as the client sent them
/// (``StrategyValidator/Input``) or validated (``StrategyDraft``).
public struct StrategyFields<Parameters: Sendable & Equatable & ExpressibleByDictionaryLiteral>: Sendable, Equatable {
    /// The name (trimmed, 1–200 characters, once validated).
    public var name: String
    /// Free text (up to 2000 characters).
    public var description: String
    /// What it is for.
    public var strategyType: StrategyType
    /// What runs it.
    public var engine: StrategyEngine
    /// The registry kind (builtin).
    public var kind: String?
    /// The parameters of the kind: as sent (numbers expected), or every one validated with
    /// its defaults filled in.
    public var parameters: Parameters
    /// The service config (trademaster).
    public var config: TradeMasterConfig?
    /// Trading defaults.
    public var trading: TradingDefaults
    /// Tags (trimmed, distinct, at most 20, once validated).
    public var tags: [String]
    /// Category (up to 100 characters).
    public var category: String?
    /// The status to set (nil: leave as is; `draft` for a new strategy).
    public var status: StrategyStatus?

    /// Fields from their parts.
    public init(
        name: String, description: String = "", strategyType: StrategyType, engine: StrategyEngine, kind: String? = nil,
        parameters: Parameters = [:], config: TradeMasterConfig? = nil, trading: TradingDefaults = TradingDefaults(),
        tags: [String] = [], category: String? = nil, status: StrategyStatus? = nil
    ) {
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

    /// The fields of an existing strategy with its parameters as `parameters` gives them
    /// (to apply a partial change to), the status left as is.
    init(_ record: StrategyRecord, parameters: Parameters) {
        self.init(
            name: record.name, description: record.description, strategyType: record.strategyType, engine: record.engine,
            kind: record.kind, parameters: parameters, config: record.config, trading: record.trading,
            tags: record.tags, category: record.category, status: nil)
    }
}

/// The validated fields of a strategy (``StrategyValidator``): what an insert or a full update writes.
public typealias StrategyDraft = StrategyFields<[String: Double]>

extension StrategyFields where Parameters == [String: Double] {
    /// The draft of an existing strategy (to apply a partial change to).
    public init(_ record: StrategyRecord) {
        self.init(record, parameters: record.parameters)
    }
}

extension StrategyFields where Parameters == [String: JSONDocument] {
    /// The input that leaves `record` as it is.
    public init(_ record: StrategyRecord) {
        self.init(record, parameters: StrategyValidator.clientParameters(kind: record.kind, record.parameters))
    }
}
