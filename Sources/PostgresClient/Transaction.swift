/// An open transaction on one connection: the value stores take to run their statements in
/// it (`insert(_:in:)`). Only ``Database`` makes one, so a store cannot begin or end a
/// transaction on its own and a handler never holds a connection.
///
/// ``Database/transaction(_:)`` scopes one to a closure (commit when it returns, roll back
/// when it throws). ``Database/begin()`` hands one out for work that spans several calls
/// (a streamed upload); its owner must end it with ``commit()`` or ``rollback()``.
public struct Transaction {
    let connection: PostgresConnection

    /// Runs `sql` in the transaction and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) throws -> [Row] {
        try connection.query(sql)
    }

    /// Runs `sql` in the transaction and returns its result column by column (binary format).
    public func columns(_ sql: SQL) throws -> ResultColumns {
        try connection.columns(sql)
    }

    /// Runs `sql` in the transaction and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try connection.execute(sql)
    }

    /// Starts `COPY … FROM STDIN` in the transaction; the writer must be finished or aborted.
    public func beginCopyIn(_ sql: SQL) throws -> CopyWriter {
        try connection.beginCopyIn(sql)
    }

    /// Runs `body` under a savepoint: when it throws, only its own statements are undone and
    /// the transaction goes on (the error is rethrown).
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT tm_savepoint")
        do {
            let value = try body()
            try connection.execute("RELEASE SAVEPOINT tm_savepoint")
            return value
        } catch {
            _ = try? connection.execute("ROLLBACK TO SAVEPOINT tm_savepoint")
            throw error
        }
    }

    /// Holds the advisory lock named `key` until this transaction ends; another transaction
    /// asking for it waits. Read what the lock guards in a later statement: its snapshot is
    /// then taken after the lock is held, so it sees the previous holder's commit.
    public func lock(_ key: String) throws {
        try connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))")
    }

    /// Commits a transaction from ``Database/begin()``.
    public func commit() throws {
        try connection.execute("COMMIT")
    }

    /// Rolls back a transaction from ``Database/begin()``; a lost connection is not an error
    /// (the server has rolled it back already).
    public func rollback() {
        _ = try? connection.execute("ROLLBACK")
    }
}
