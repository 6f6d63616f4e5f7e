/// What a strategy is for: TradeMaster's tasks.
public enum StrategyType: String, CaseIterable, Codable, Sendable {
    /// Trading one instrument.
    case algorithmicTrading = "algorithmic_trading"
    /// Allocating across several instruments.
    case portfolioManagement = "portfolio_management"
    /// Executing a large order.
    case orderExecution = "order_execution"
    /// Trading at high frequency.
    case highFrequencyTrading = "high_frequency_trading"
}
