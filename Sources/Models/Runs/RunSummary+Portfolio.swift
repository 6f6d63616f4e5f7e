import Quant

extension RunSummary {
    /// The summary of a portfolio run: its trades are its holdings between rebalances
    /// (``PortfolioHolding``); exposure is the share of bars ending with something held.
    init(portfolio result: PortfolioResult) {
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        // One pass over the holdings (a run rebalanced every bar has millions), summing in
        // their order as filtering then reducing them did.
        var count = 0
        var closed = 0
        var wins = 0
        var gains = 0.0
        var losses = 0.0
        var returns = 0.0
        PortfolioHolding.forEach(in: result) { h in
            count += 1
            guard h.exitBar != nil else { return }
            closed += 1
            let net = h.net
            if net > 0 {
                gains += net
                wins += 1
            } else if net < 0 {
                losses += net
            }
            returns += h.returnFraction
        }
        let start = result.configuration.cash
        let end = result.equity.last ?? .nan
        bars = result.equity.count
        trades = closed
        openTrade = closed < count
        winRate = closed == 0 ? nil : Double(wins) / Double(closed)
        profitFactor = losses < 0 ? finite(gains / -losses) : nil
        averageTradeReturn = closed == 0 ? nil : finite(returns / Double(closed))
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
