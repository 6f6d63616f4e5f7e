/// The headline figures of a strategy's latest succeeded run (null where undefined).
public struct StrategyPerformance: Codable, Sendable, Equatable {
    /// The run they come from.
    public var runId: Int64
    /// Final equity / starting equity − 1.
    public var totalReturn: Double?
    /// Annualised Sharpe ratio of the equity's returns.
    public var sharpe: Double?
    /// Largest peak-to-trough fall, a negative fraction.
    public var maxDrawdown: Double?
    /// Share of closed trades that made money.
    public var winRate: Double?

    /// Figures from their parts; non-finite values become nil.
    public init(runId: Int64, totalReturn: Double?, sharpe: Double?, maxDrawdown: Double?, winRate: Double?) {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        self.runId = runId
        self.totalReturn = finite(totalReturn)
        self.sharpe = finite(sharpe)
        self.maxDrawdown = finite(maxDrawdown)
        self.winRate = finite(winRate)
    }
}
