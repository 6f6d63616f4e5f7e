import Models
import Support

/// The body of `PATCH /api/v1/strategies/:id`: the fields to change. `parameters` replaces
/// the whole parameter set (a kind changed without parameters gets the new kind's defaults);
/// `trading` changes only the fields it names.
struct StrategyChange: Decodable {
    var name: String?
    var description: String?
    var strategyType: StrategyType?
    var engine: StrategyEngine?
    var kind: String?
    var parameters: [String: JSONDocument]?
    var config: TradeMasterConfig?
    var trading: TradingChange?
    var tags: [String]?
    var category: String?
    var status: StrategyStatus?

    /// The validator's input: `current` with this change applied.
    func input(over current: StrategyRecord) -> StrategyValidator.Input {
        var input = StrategyValidator.Input(current)
        if let name { input.name = name }
        if let description { input.description = description }
        if let strategyType { input.strategyType = strategyType }
        if let engine, engine != input.engine {
            input.engine = engine
            // Switching engines drops what belonged to the other one.
            switch engine {
            case .builtin: input.config = nil
            case .trademaster:
                input.kind = nil
                input.parameters = [:]
            }
        }
        if let kind, kind != input.kind {
            input.kind = kind
            input.parameters = [:]
        }
        if let parameters { input.parameters = parameters }
        if let config { input.config = config }
        if let trading { input.trading = trading.applied(to: input.trading) }
        if let tags { input.tags = tags }
        if let category { input.category = category }
        if let status { input.status = status }
        return input
    }
}
