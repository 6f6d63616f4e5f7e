extension Database {
    /// The rows one housekeeping `DELETE` removes at most: small enough that no statement
    /// holds its row locks (or a replica's apply) for long, large enough to be few statements.
    public static let pruneBatchSize = 10_000

    /// Runs `batch` (a `DELETE` of at most `batchSize` rows, each its own transaction) until
    /// it deletes fewer than `batchSize`; returns the rows deleted in all.
    public func deleteInBatches(batchSize: Int, _ batch: (Int) -> SQL) throws -> Int {
        var total = 0
        while true {
            let deleted = try execute(batch(batchSize))
            total += deleted
            if deleted < batchSize { return total }
        }
    }

    /// The number in the first row's `n` column of `sql` (a `SELECT count(*) AS n …`).
    public func count(_ sql: SQL) throws -> Int {
        try query(sql).first?.decode("n", as: Int.self) ?? 0
    }
}
