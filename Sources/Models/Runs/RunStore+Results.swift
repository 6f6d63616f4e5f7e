import Foundation
import PostgresClient
import Quant

extension RunStore {
    /// A page of run `runID`'s trades in entry order, and how many it has. The caller checks
    /// that the run is the caller's (``find(id:scope:)``) first.
    public func trades(runID: Int64, limit: Int, offset: Int) throws -> (items: [RunTrade], total: Int) {
        // A binary result: no number or time is formatted by PostgreSQL or parsed here.
        let result = try database.columns(
            """
            SELECT seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price, exit_price, gross_pnl,
                   net_pnl, commission, return_fraction, bars_held, count(*) OVER () AS total
            FROM run_trades WHERE run_id = \(runID) ORDER BY seq LIMIT \(limit) OFFSET \(offset)
            """)
        var total = Int(try result.integers("total").first ?? 0)
        if result.rowCount == 0 && offset > 0 {
            total = try database.query("SELECT count(*)::bigint AS total FROM run_trades WHERE run_id = \(runID)").first?.decode("total") ?? 0
        }
        let seq = try result.integers("seq")
        let symbol = try result.texts("symbol")
        let side = try result.texts("side")
        let shares = try result.integers("shares")
        let entryBar = try result.integers("entry_bar")
        let exitBar = try result.optionalIntegers("exit_bar")
        let entryTime = try result.dates("entry_time")
        let exitTime = try result.dates("exit_time")
        let entryPrice = try result.doubles("entry_price")
        let exitPrice = try result.doubles("exit_price")
        let gross = try result.doubles("gross_pnl")
        let net = try result.doubles("net_pnl")
        let commission = try result.doubles("commission")
        let returns = try result.optionalDoubles("return_fraction")
        let held = try result.integers("bars_held")
        let items = try (0..<result.rowCount).map { k in
            guard let symbol = symbol[k], let side = side[k], let entryTime = entryTime[k] else {
                throw DatabaseError.decoding(column: "symbol, side, entry_time", reason: "is NULL")
            }
            return RunTrade(
                seq: Int(seq[k]), symbol: symbol, side: side, shares: shares[k], entryBar: Int(entryBar[k]), exitBar: exitBar[k].map(Int.init),
                entryTime: entryTime, exitTime: exitTime[k], entryPrice: entryPrice[k], exitPrice: exitPrice[k], grossPnl: gross[k],
                netPnl: net[k], commission: commission[k], return: returns[k], barsHeld: Int(held[k]), open: exitBar[k] == nil)
        }
        return (items, total)
    }

    /// The trades ``storeResults(_:symbol:runID:in:)`` writes for `result`, as
    /// ``trades(runID:limit:offset:)`` reads them back: a request that has just stored them
    /// answers from memory instead of reading them again.
    public static func runTrades(of result: BacktestResult, symbol: String) -> [RunTrade] {
        result.trades.enumerated().map { seq, trade in
            RunTrade(
                seq: seq, symbol: symbol, side: trade.shares > 0 ? "long" : "short", shares: Int64(abs(trade.shares)),
                entryBar: trade.entryBar, exitBar: trade.exitBar, entryTime: Date(timeIntervalSince1970: Double(trade.entryTime)),
                exitTime: trade.exitTime.map { Date(timeIntervalSince1970: Double($0)) }, entryPrice: trade.entryPrice,
                exitPrice: trade.exitPrice, grossPnl: trade.profit + trade.commission, netPnl: trade.profit,
                commission: trade.commission, return: trade.returnFraction.isFinite ? trade.returnFraction : nil,
                barsHeld: trade.barsHeld, open: trade.exitBar == nil)
        }
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
            // Numbers go in PostgreSQL's binary array format: no number is formatted here or parsed there.
            let seq = BinaryArray(trades.indices.map { Int64($0) })
            let side = SQLArray(words: trades.map { $0.shares > 0 ? "long" : "short" })
            let shares = BinaryArray(trades.map { Int64(abs($0.shares)) })
            let entryBar = BinaryArray(trades.map { Int64($0.entryBar) })
            let exitBar = BinaryArray(trades.map { $0.exitBar.map(Int64.init) })
            let entryTime = BinaryArray(trades.map(\.entryTime))
            let exitTime = BinaryArray(trades.map(\.exitTime))
            let entryPrice = BinaryArray(trades.map(\.entryPrice))
            let exitPrice = BinaryArray(trades.map(\.exitPrice))
            let net = BinaryArray(trades.map(\.profit))
            let gross = BinaryArray(trades.map { $0.profit + $0.commission })
            let commission = BinaryArray(trades.map(\.commission))
            let returns = BinaryArray(trades.map { $0.returnFraction.isFinite ? $0.returnFraction : nil })
            let held = BinaryArray(trades.map { Int64($0.barsHeld) })
            try tx.execute(
                """
                INSERT INTO run_trades (run_id, seq, symbol, side, shares, entry_bar, exit_bar, entry_time, exit_time, entry_price,
                                        exit_price, gross_pnl, net_pnl, commission, return_fraction, bars_held)
                SELECT \(runID), t.seq, \(symbol), t.side, t.shares, t.entry_bar, t.exit_bar, to_timestamp(t.entry_time),
                       to_timestamp(t.exit_time), t.entry_price, t.exit_price, t.gross, t.net, t.commission, t.ret, t.held
                FROM unnest(\(seq)::bigint[], \(side)::text[], \(shares)::bigint[], \(entryBar)::bigint[], \(exitBar)::bigint[],
                            \(entryTime)::bigint[], \(exitTime)::bigint[], \(entryPrice)::float8[], \(exitPrice)::float8[],
                            \(gross)::float8[], \(net)::float8[], \(commission)::float8[], \(returns)::float8[], \(held)::bigint[])
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
