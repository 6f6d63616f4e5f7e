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

    init(row: Row) throws {
        id = try row.decode("id")
        engine = try row.decode("engine")
        kind = try row.decodeIfPresent("kind")
        let raw: JSONDocument = try row.decode("parameters")
        var numbers: [String: Double] = [:]
        if case .object(let members) = raw {
            for (key, value) in members { if let number = value.doubleValue { numbers[key] = number } }
        }
        parameters = numbers
        config = try row.decodeIfPresent("config")
        trading = try row.decode("trading")
        version = try row.decode("version")
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
