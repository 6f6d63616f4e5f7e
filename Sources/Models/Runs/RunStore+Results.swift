import Foundation
import PostgresClient
import Quant

extension RunStore {
    /// A page of run `runID`'s trades in entry order, and how many it has. The caller checks
    /// that the run is the caller's (``find(id:scope:)``) first.
    public func trades(runID: Int64, limit: Int, offset: Int) throws -> (items: [RunTrade], total: Int) {
        let rows = try database.query(
            """
            SELECT seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price, exit_price, gross_pnl,
                   net_pnl, commission, return_fraction, bars_held, count(*) OVER () AS total
            FROM run_trades WHERE run_id = \(runID) ORDER BY seq LIMIT \(limit) OFFSET \(offset)
            """)
        var total = try rows.first?.decode("total", as: Int.self) ?? 0
        if rows.isEmpty && offset > 0 {
            total = try database.query("SELECT count(*)::bigint AS total FROM run_trades WHERE run_id = \(runID)").first?.decode("total") ?? 0
        }
        let items = try rows.map { row in
            let exitBar: Int? = try row.decodeIfPresent("exit_bar")
            return RunTrade(
                seq: try row.decode("seq"), symbol: try row.decode("symbol"), side: try row.decode("side"), shares: try row.decode("shares"),
                entryBar: try row.decode("entry_bar"), exitBar: exitBar, entryTime: try row.decode("entry_time"),
                exitTime: try row.decodeIfPresent("exit_time"), entryPrice: try row.decode("entry_price"),
                exitPrice: try row.decode("exit_price"), grossPnl: try row.decode("gross_pnl"), netPnl: try row.decode("net_pnl"),
                commission: try row.decode("commission"), return: try row.decodeIfPresent("return_fraction"),
                barsHeld: try row.decode("bars_held"), open: exitBar == nil)
        }
        return (items, total)
    }

    /// Every trade of run `runID`, in entry order.
    public func allTrades(runID: Int64) throws -> [RunTrade] {
        try trades(runID: runID, limit: Int(Int32.max), offset: 0).items
    }

    /// Run `runID`'s whole series (time, equity, cash, position after each bar), or nil before
    /// it has one. The caller checks that the run is the caller's first.
    public func series(runID: Int64) throws -> RunSeries? {
        let result = try database.columns("SELECT times, equity, cash, position FROM run_series WHERE run_id = \(runID)")
        guard result.rowCount > 0 else { return nil }
        func bytes(_ name: String) throws -> [UInt8] { try result.bytes(name, row: 0) ?? [] }
        return RunSeries(
            times: try PackedColumn.integers(bytes("times"), column: "times"),
            equity: try PackedColumn.doubles(bytes("equity"), column: "equity"),
            cash: try PackedColumn.doubles(bytes("cash"), column: "cash"),
            position: try PackedColumn.integers(bytes("position"), column: "position"))
    }

    /// Writes `result` as run `runID`'s trades and series (replacing any), on `connection`.
    static func storeResults(_ result: BacktestResult, symbol: String, runID: Int64, in tx: Transaction) throws {
        try tx.execute("DELETE FROM run_trades WHERE run_id = \(runID)")
        try tx.execute("DELETE FROM run_series WHERE run_id = \(runID)")
        let trades = result.trades
        if !trades.isEmpty {
            let seq = SQLArray(trades.indices.map { Int64($0) })
            let side = SQLArray(words: trades.map { $0.shares > 0 ? "long" : "short" })
            let shares = SQLArray(trades.map { Int64(abs($0.shares)) })
            let entryBar = SQLArray(trades.map { Int64($0.entryBar) })
            let exitBar = SQLArray(trades.map { $0.exitBar.map(Int64.init) })
            let entryTime = SQLArray(trades.map(\.entryTime))
            let exitTime = SQLArray(trades.map(\.exitTime))
            let entryPrice = SQLArray(trades.map(\.entryPrice))
            let exitPrice = SQLArray(trades.map(\.exitPrice))
            let net = SQLArray(trades.map(\.profit))
            let gross = SQLArray(trades.map { $0.profit + $0.commission })
            let commission = SQLArray(trades.map(\.commission))
            let returns = SQLArray(trades.map { $0.returnFraction.isFinite ? $0.returnFraction : nil })
            let held = SQLArray(trades.map { Int64($0.barsHeld) })
            try tx.execute(
                """
                INSERT INTO run_trades (run_id, seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price,
                                        exit_price, gross_pnl, net_pnl, commission, return_fraction, bars_held)
                SELECT \(runID), t.seq, \(symbol), t.side, t.shares, t.entry_bar, t.exit_bar, to_timestamp(t.entry_time),
                       to_timestamp(t.exit_time), t.entry_price, t.exit_price, t.gross, t.net, t.commission, t.ret, t.held
                FROM unnest(\(seq)::int[], \(side)::text[], \(shares)::bigint[], \(entryBar)::int[], \(exitBar)::int[],
                            \(entryTime)::bigint[], \(exitTime)::bigint[], \(entryPrice)::float8[], \(exitPrice)::float8[],
                            \(gross)::float8[], \(net)::float8[], \(commission)::float8[], \(returns)::float8[], \(held)::int[])
                     AS t(seq, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price, exit_price, gross, net,
                          commission, ret, held)
                """)
        }
        let curve = result.equity
        try tx.execute(
            """
            INSERT INTO run_series (run_id, times, equity, cash, position)
            VALUES (\(runID), \(PackedColumn(curve.timestamps))::bytea, \(PackedColumn(curve.equity))::bytea,
                    \(PackedColumn(curve.cash))::bytea, \(PackedColumn(curve.shares.map { Int64($0) }))::bytea)
            """)
    }
}
