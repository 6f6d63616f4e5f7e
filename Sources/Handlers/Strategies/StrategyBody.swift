import Models
import Support

/// The body of `POST /api/v1/strategies` and `PUT /api/v1/strategies/:id`: every editable
/// field (those left out take their defaults).
struct StrategyBody: Decodable {
    var name: String
    var description: String?
    var strategyType: StrategyType
    var engine: StrategyEngine
    var kind: String?
    var parameters: [String: JSONDocument]?
    var config: TradeMasterConfig?
    var trading: TradingChange?
    var tags: [String]?
    var category: String?
    var status: StrategyStatus?

    /// The validator's input.
    var input: StrategyValidator.Input {
        StrategyValidator.Input(
            name: name, description: description ?? "", strategyType: strategyType, engine: engine, kind: kind,
            parameters: parameters ?? [:], config: config, trading: (trading ?? TradingChange()).applied(to: TradingDefaults()),
            tags: tags ?? [], category: category, status: status)
    }
}

/// Trading fields as sent: those left out keep their current (or default) values.
struct TradingChange: Decodable {
    var initialCapital: Double?
    var commission: Double?
    var slippageBps: Double?
    var allowShort: Bool?

    /// `base` with the given fields replaced.
    func applied(to base: TradingDefaults) -> TradingDefaults {
        TradingDefaults(
            initialCapital: initialCapital ?? base.initialCapital, commission: commission ?? base.commission,
            slippageBps: slippageBps ?? base.slippageBps, allowShort: allowShort ?? base.allowShort)
    }
}
