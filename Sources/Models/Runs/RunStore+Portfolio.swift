import Foundation
import PostgresClient
import Quant

extension RunStore {
    /// Writes a portfolio run's holdings (``PortfolioHolding``, one `run_trades` row per symbol
    /// and rebalance interval) and its series (replacing any), on `connection`.
    ///
    /// `run_series.position` is a bigint of shares for a single-symbol run; a portfolio holds
    /// several symbols in fractional shares, so there it is the gross exposure after the bar's
    /// close in money, Σ |shares · close| over the symbols, rounded to a whole unit.
    static func storeResults(_ result: PortfolioResult, runID: Int64, in tx: Transaction) throws {
        try tx.execute("DELETE FROM run_trades WHERE run_id = \(runID)")
        try tx.execute("DELETE FROM run_series WHERE run_id = \(runID)")
        let holdings = PortfolioHolding.of(result)
        if !holdings.isEmpty {
            let seq = SQLArray(holdings.indices.map { Int64($0) })
            let symbol = SQLArray(words: holdings.map(\.symbol))
            let side = SQLArray(words: holdings.map { $0.shares > 0 ? "long" : "short" })
            let shares = SQLArray(holdings.map { Swift.max(1, Int64(saturating: abs($0.shares).rounded())) })
            let entryBar = SQLArray(holdings.map { Int64($0.entryBar) })
            let exitBar = SQLArray(holdings.map { $0.exitBar.map(Int64.init) })
            let entryTime = SQLArray(holdings.map(\.entryTime))
            let exitTime = SQLArray(holdings.map(\.exitTime))
            let entryPrice = SQLArray(holdings.map(\.entryPrice))
            let exitPrice = SQLArray(holdings.map(\.exitPrice))
            let gross = SQLArray(holdings.map(\.gross))
            let net = SQLArray(holdings.map(\.net))
            let commission = SQLArray(holdings.map(\.commission))
            let returns = SQLArray(holdings.map { $0.returnFraction.isFinite ? $0.returnFraction : nil })
            let held = SQLArray(holdings.map { Int64($0.barsHeld) })
            try tx.execute(
                """
                INSERT INTO run_trades (run_id, seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price,
                                        exit_price, gross_pnl, net_pnl, commission, return_fraction, bars_held)
                SELECT \(runID), t.seq, t.symbol, t.side, t.shares, t.entry_bar, t.exit_bar, to_timestamp(t.entry_time),
                       to_timestamp(t.exit_time), t.entry_price, t.exit_price, t.gross, t.net, t.commission, t.ret, t.held
                FROM unnest(\(seq)::int[], \(symbol)::text[], \(side)::text[], \(shares)::bigint[], \(entryBar)::int[], \(exitBar)::int[],
                            \(entryTime)::bigint[], \(exitTime)::bigint[], \(entryPrice)::float8[], \(exitPrice)::float8[],
                            \(gross)::float8[], \(net)::float8[], \(commission)::float8[], \(returns)::float8[], \(held)::int[])
                     AS t(seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price, exit_price, gross, net,
                          commission, ret, held)
                """)
        }
        let exposure = result.grossExposure.indices.map { Int64(saturating: (result.grossExposure[$0] * result.equity[$0]).rounded()) }
        try tx.execute(
            """
            INSERT INTO run_series (run_id, times, equity, cash, position)
            VALUES (\(runID), \(PackedColumn(result.timestamps))::bytea, \(PackedColumn(result.equity))::bytea,
                    \(PackedColumn(result.cash))::bytea, \(PackedColumn(exposure))::bytea)
            """)
    }
}
