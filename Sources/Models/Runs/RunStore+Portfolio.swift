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
    ///
    /// The holdings go in by binary COPY as they are made: a run rebalanced on every bar has
    /// one per symbol and bar (5M for 50 symbols × 200,000 minutes), and neither side formats
    /// or parses a number.
    static func storeResults(_ result: PortfolioResult, runID: Int64, in tx: Transaction) throws {
        try tx.execute("DELETE FROM run_trades WHERE run_id = \(runID)")
        try tx.execute("DELETE FROM run_series WHERE run_id = \(runID)")
        if !result.rebalances.isEmpty {
            let writer = try tx.beginCopyIn(
                """
                COPY run_trades (run_id, seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price,
                                 exit_price, gross_pnl, net_pnl, commission, return_fraction, bars_held) FROM STDIN (FORMAT binary)
                """)
            do {
                var row = CopyTuple()
                try writer.write(CopyTuple.header)
                var seq: Int32 = 0
                try PortfolioHolding.forEach(in: result) { h in
                    row.start(fields: 16)
                    row.append(runID)
                    row.append(seq)
                    row.append(text: h.symbol)
                    row.append(text: h.shares > 0 ? "long" : "short")
                    row.append(Swift.max(1, Int64(saturating: abs(h.shares).rounded())))
                    row.append(Int32(h.entryBar))
                    row.append(h.exitBar.map { Int32($0) })
                    row.append(timestamp: h.entryTime)
                    row.append(timestamp: h.exitTime)
                    row.append(h.entryPrice)
                    row.append(h.exitPrice)
                    row.append(h.gross)
                    row.append(h.net)
                    row.append(h.commission)
                    row.append(h.returnFraction.isFinite ? h.returnFraction : nil)
                    row.append(Int32(h.barsHeld))
                    try writer.write(row.bytes)
                    seq += 1
                }
                try writer.write(CopyTuple.trailer)
            } catch {
                writer.abort()
                throw error
            }
            try writer.finish()
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
