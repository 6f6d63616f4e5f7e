/// Statistics of a backtest's closed trades (an open trade is counted apart, as in
/// `BacktestSummary`). P&L figures are in account currency, net of commission; return figures
/// are per trade, P&L / entry value. A trade with zero P&L is neither a win nor a loss and ends
/// both streaks.
public struct TradeStatistics: Sendable, Equatable {
    /// Closed trades.
    public var count: Int
    /// Closed trades with P&L > 0.
    public var wins: Int
    /// Closed trades with P&L < 0.
    public var losses: Int
    /// Trades still open at the end.
    public var openTrades: Int
    /// wins / count; NaN without trades.
    public var winRate: Double
    /// Σ winning P&L / |Σ losing P&L|; NaN without losses.
    public var profitFactor: Double
    /// Mean P&L of the winning trades; NaN without any.
    public var averageWin: Double
    /// Mean P&L of the losing trades (negative); NaN without any.
    public var averageLoss: Double
    /// Mean return of the winning trades.
    public var averageWinReturn: Double
    /// Mean return of the losing trades (negative).
    public var averageLossReturn: Double
    /// Mean P&L per closed trade.
    public var expectancy: Double
    /// Mean return per closed trade.
    public var expectancyReturn: Double
    /// Mean bars held per closed trade.
    public var averageBarsHeld: Double
    /// Share of bars that end with a position held.
    public var exposure: Double
    /// Most consecutive winning trades.
    public var longestWinStreak: Int
    /// Most consecutive losing trades.
    public var longestLossStreak: Int

    /// Statistics of closed trades given as parallel columns, in exit order.
    public init(profits: [Double], returns: [Double], barsHeld: [Int], openTrades: Int, exposure: Double) {
        func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
        count = profits.count
        let winIdx = profits.indices.filter { profits[$0] > 0 }
        let lossIdx = profits.indices.filter { profits[$0] < 0 }
        wins = winIdx.count
        losses = lossIdx.count
        self.openTrades = openTrades
        winRate = count == 0 ? .nan : Double(wins) / Double(count)
        let gain = winIdx.reduce(0) { $0 + profits[$1] }
        let loss = lossIdx.reduce(0) { $0 + profits[$1] }
        profitFactor = loss < 0 ? gain / -loss : .nan
        averageWin = mean(winIdx.map { profits[$0] })
        averageLoss = mean(lossIdx.map { profits[$0] })
        averageWinReturn = mean(winIdx.map { returns[$0] })
        averageLossReturn = mean(lossIdx.map { returns[$0] })
        expectancy = mean(profits)
        expectancyReturn = mean(returns)
        averageBarsHeld = mean(barsHeld.map(Double.init))
        self.exposure = exposure
        var win = 0
        var lose = 0
        var bestWin = 0
        var bestLoss = 0
        for p in profits {
            win = p > 0 ? win + 1 : 0
            lose = p < 0 ? lose + 1 : 0
            bestWin = max(bestWin, win)
            bestLoss = max(bestLoss, lose)
        }
        longestWinStreak = bestWin
        longestLossStreak = bestLoss
    }

    /// Statistics of a backtest's trades and its per-bar position.
    public init(trades: [Trade], positions: [Int]) {
        let closed = trades.filter { !$0.isOpen }
        let held = positions.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        self.init(
            profits: closed.map(\.profit), returns: closed.map(\.returnFraction), barsHeld: closed.map(\.barsHeld),
            openTrades: trades.count - closed.count,
            exposure: positions.isEmpty ? 0 : Double(held) / Double(positions.count))
    }
}
