import Quant

/// The headline figures of a finished run (null where undefined): its trades and its equity.
public struct RunSummary: Codable, Sendable, Equatable {
    /// Bars the run went through.
    public var bars: Int
    /// Closed trades.
    public var trades: Int
    /// Whether a position was open at the end.
    public var openTrade: Bool
    /// Share of closed trades with a profit.
    public var winRate: Double?
    /// Σ profits / |Σ losses| of closed trades.
    public var profitFactor: Double?
    /// Mean return of closed trades.
    public var averageTradeReturn: Double?
    /// Share of bars ending with a position.
    public var exposure: Double?
    /// Commissions paid.
    public var totalCommission: Double?
    /// Starting cash.
    public var startingEquity: Double?
    /// Equity after the last bar.
    public var finalEquity: Double?
    /// finalEquity / startingEquity − 1.
    public var totalReturn: Double?
    /// Annualised Sharpe ratio of the equity's returns.
    public var sharpe: Double?
    /// Largest peak-to-trough fall of equity (a negative fraction).
    public var maxDrawdown: Double?

    /// The summary of `result`.
    public init(_ result: BacktestResult) {
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        let s = result.summary
        bars = result.equity.equity.count
        trades = s.closedTrades
        openTrade = s.hasOpenTrade
        winRate = finite(s.winRate)
        profitFactor = finite(s.profitFactor)
        averageTradeReturn = finite(s.averageTradeReturn)
        exposure = finite(s.exposure)
        totalCommission = finite(s.totalCommission)
        startingEquity = finite(s.startingEquity)
        finalEquity = finite(s.finalEquity)
        totalReturn = finite(s.finalEquity / s.startingEquity - 1)
        sharpe = finite(result.metrics.sharpe)
        maxDrawdown = finite(result.metrics.maxDrawdown)
    }
}
