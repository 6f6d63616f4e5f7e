import Support

/// What training needs of a strategy (issue 11's `strategies` row): its engine, its builtin
/// kind and parameters or its TradeMaster config, its trading defaults and version.
public struct TrainingStrategy: Sendable {
    /// The id.
    public var id: Int64
    /// `builtin` or `trademaster`.
    public var engine: String
    /// The registry kind of a builtin strategy.
    public var kind: String?
    /// The builtin parameters (numbers only are kept).
    public var parameters: [String: Double]
    /// The TradeMaster config of a trademaster strategy.
    public var config: JSONDocument?
    /// `{initial_capital, commission, slippage_bps, allow_short}` defaults.
    public var trading: JSONDocument
    /// The version (bumped by apply).
    public var version: Int64

    /// The training view of a stored strategy.
    init(_ record: StrategyRecord) {
        id = record.id
        engine = record.engine.rawValue
        kind = record.kind
        parameters = record.parameters
        config = record.config.map { c in
            .object([
                "task_name": .string(c.taskName), "dataset_name": .string(c.datasetName), "agent_name": .string(c.agentName),
                "optimizer_name": .string(c.optimizerName), "loss_name": .string(c.lossName),
            ])
        }
        let t = record.trading
        trading = .object([
            "initial_capital": .number(t.initialCapital), "commission": .number(t.commission),
            "slippage_bps": .number(t.slippageBps), "allow_short": .bool(t.allowShort),
        ])
        version = record.version
    }
}

extension JSONDocument {
    /// The value as a number, when it is one.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The value as a boolean, when it is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
