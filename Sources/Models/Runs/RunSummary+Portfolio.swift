import Quant

extension RunSummary {
    /// The summary of a portfolio run: its trades are its holdings between rebalances
    /// (``PortfolioHolding``); exposure is the share of bars ending with something held.
    init(portfolio result: PortfolioResult) {
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        let holdings = PortfolioHolding.of(result)
        let closed = holdings.filter { $0.exitBar != nil }
        let gains = closed.filter { $0.net > 0 }.reduce(0) { $0 + $1.net }
        let losses = closed.filter { $0.net < 0 }.reduce(0) { $0 + $1.net }
        let start = result.configuration.cash
        let end = result.equity.last ?? .nan
        bars = result.equity.count
        trades = closed.count
        openTrade = closed.count < holdings.count
        winRate = closed.isEmpty ? nil : Double(closed.filter { $0.net > 0 }.count) / Double(closed.count)
        profitFactor = losses < 0 ? finite(gains / -losses) : nil
        averageTradeReturn = closed.isEmpty ? nil : finite(closed.reduce(0) { $0 + $1.returnFraction } / Double(closed.count))
        exposure =
            result.grossExposure.isEmpty
            ? nil
            : Double(result.grossExposure.filter { $0 > 0 }.count) / Double(result.grossExposure.count)
        totalCommission = finite(result.totalCost)
        startingEquity = finite(start)
        finalEquity = finite(end)
        totalReturn = finite(end / start - 1)
        sharpe = finite(result.metrics.sharpe)
        maxDrawdown = finite(result.metrics.maxDrawdown)
    }
}
