/// Summary figures of a backtest's trades. Win rate, profit factor and average return count
/// closed trades only (as backtesting.py does); an open trade is reported but not counted.
public struct BacktestSummary: Sendable, Equatable {
    /// Closed trades.
    public var closedTrades: Int
    /// Whether a position is open at the end.
    public var hasOpenTrade: Bool
    /// Share of closed trades with a positive profit; NaN without trades.
    public var winRate: Double
    /// Σ profits / |Σ losses| of closed trades; NaN without losses.
    public var profitFactor: Double
    /// Mean `returnFraction` of closed trades; NaN without trades.
    public var averageTradeReturn: Double
    /// Share of bars that end with a position held.
    public var exposure: Double
    /// Total commission paid.
    public var totalCommission: Double
    /// Starting cash.
    public var startingEquity: Double
    /// Equity after the last bar.
    public var finalEquity: Double

    /// Summarises trades and the equity curve.
    init(trades: [Trade], curve: EquityCurve, startingCash: Double) {
        let closed = trades.filter { !$0.isOpen }
        closedTrades = closed.count
        hasOpenTrade = trades.contains { $0.isOpen }
        let wins = closed.filter { $0.profit > 0 }
        winRate = closed.isEmpty ? .nan : Double(wins.count) / Double(closed.count)
        let gain = wins.reduce(0) { $0 + $1.profit }
        let loss = closed.filter { $0.profit < 0 }.reduce(0) { $0 + $1.profit }
        profitFactor = loss < 0 ? gain / -loss : .nan
        averageTradeReturn = closed.isEmpty ? .nan : closed.reduce(0) { $0 + $1.returnFraction } / Double(closed.count)
        let held = curve.shares.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        exposure = curve.shares.isEmpty ? 0 : Double(held) / Double(curve.shares.count)
        totalCommission = trades.reduce(0) { $0 + $1.commission }
        startingEquity = startingCash
        finalEquity = curve.equity.last ?? startingCash
    }
}
