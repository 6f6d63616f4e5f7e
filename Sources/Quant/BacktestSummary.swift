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
        // One pass over the trades; each sum adds its terms in trade order.
        var (closed, wins, gain, loss, returns, commission) = (0, 0, 0.0, 0.0, 0.0, 0.0)
        for trade in trades {
            commission += trade.commission
            guard !trade.isOpen else { continue }
            closed += 1
            returns += trade.returnFraction
            if trade.profit > 0 {
                wins += 1
                gain += trade.profit
            } else if trade.profit < 0 {
                loss += trade.profit
            }
        }
        closedTrades = closed
        hasOpenTrade = trades.contains { $0.isOpen }
        winRate = closed == 0 ? .nan : Double(wins) / Double(closed)
        profitFactor = loss < 0 ? gain / -loss : .nan
        averageTradeReturn = closed == 0 ? .nan : returns / Double(closed)
        // Four lanes of explicit selects: a scalar count compiles to a branch, mispredicted at
        // every trade.
        let held = curve.shares.withUnsafeBufferPointer { shares in
            var counts = SIMD4<Int>.zero
            var i = 0
            while i + 4 <= shares.count {
                let q = SIMD4(shares[i], shares[i + 1], shares[i + 2], shares[i + 3])
                counts &+= SIMD4<Int>.zero.replacing(with: 1, where: q .!= 0)
                i += 4
            }
            var count = counts.wrappedSum()
            while i < shares.count {
                count &+= shares[i] != 0 ? 1 : 0
                i += 1
            }
            return count
        }
        exposure = curve.shares.isEmpty ? 0 : Double(held) / Double(curve.shares.count)
        totalCommission = commission
        startingEquity = startingCash
        finalEquity = curve.equity.last ?? startingCash
    }
}
