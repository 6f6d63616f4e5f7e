import Quant

/// One symbol's holding between two rebalances of a portfolio run, stored as a row of
/// `run_trades`: entered at a rebalance's fill (that bar's open), exited at the next
/// rebalance's fill, or still open after the last bar (marked at the last close).
///
/// `run_trades.shares` is a positive bigint, while a portfolio holds fractional shares: the row
/// keeps |shares| rounded (at least 1); the P&L uses the exact shares. A rebalance's cost is
/// split over its symbols by the value each one holds after the fill.
struct PortfolioHolding: Equatable {
    /// The symbol.
    var symbol: String
    /// Exact shares, negative when short.
    var shares: Double
    /// The bar of the entry fill.
    var entryBar: Int
    /// The bar of the exit fill; nil while open.
    var exitBar: Int?
    /// Entry time.
    var entryTime: Int64
    /// Exit time; nil while open.
    var exitTime: Int64?
    /// Entry fill price.
    var entryPrice: Double
    /// Exit fill price, or the last close while open.
    var exitPrice: Double
    /// This holding's share of its entry rebalance's cost.
    var commission: Double
    /// Bars from entry to exit (to the last bar while open).
    var barsHeld: Int

    /// shares · (exit − entry).
    var gross: Double { shares * (exitPrice - entryPrice) }
    /// `gross` less `commission`.
    var net: Double { gross - commission }
    /// `net` / (entry price · |shares|).
    var returnFraction: Double { net / (entryPrice * abs(shares)) }

    /// Every holding of `result`, by rebalance then symbol; symbols held at zero are skipped.
    static func of(_ result: PortfolioResult) -> [PortfolioHolding] {
        var holdings: [PortfolioHolding] = []
        forEach(in: result) { holdings.append($0) }
        return holdings
    }

    /// Calls `body` with every holding of `result` in the order of ``of(_:)``, without
    /// keeping them: a run rebalanced on every bar has a holding per symbol and bar.
    static func forEach(in result: PortfolioResult, _ body: (PortfolioHolding) throws -> Void) rethrows {
        let last = result.timestamps.count - 1
        let rebalances = result.rebalances
        var values = [Double](repeating: 0, count: result.symbols.count)
        for k in rebalances.indices {
            let r = rebalances[k]
            let next = k + 1 < rebalances.count ? rebalances[k + 1] : nil
            var total = 0.0
            for i in r.shares.indices {
                values[i] = abs(r.shares[i] * r.prices[i])
                total += values[i]
            }
            for i in r.shares.indices where abs(r.shares[i]) > 1e-12 {
                try body(
                    PortfolioHolding(
                        symbol: result.symbols[i], shares: r.shares[i], entryBar: r.bar, exitBar: next?.bar, entryTime: r.time,
                        exitTime: next?.time, entryPrice: r.prices[i], exitPrice: next?.prices[i] ?? result.lastCloses[i],
                        commission: total > 0 ? r.cost * values[i] / total : 0, barsHeld: (next?.bar ?? last) - r.bar))
            }
        }
    }
}
