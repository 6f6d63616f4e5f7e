/// What runs a strategy.
public enum StrategyEngine: String, CaseIterable, Codable, Sendable {
    /// A kind of the `Quant` registry with its parameters (backtests and paper runs here).
    case builtin
    /// The TradeMaster service (trained there, from its `config`).
    case trademaster
}
