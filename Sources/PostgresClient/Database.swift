import Metrics
import Support

/// PostgreSQL for the whole process: each thread lazily opens its own connection and
/// reopens it after a failure, so a database restart costs 503s for the requests in the
/// gap and nothing else. Stores hold a `Database` and call it from any thread.
public final class Database: Sendable {
    /// The connection URL.
    public let url: String
    private let connections: ThreadLocal<PostgresConnection>
    private let metrics: MetricsRegion?
    /// The `statement_timeout` of every connection in milliseconds (nil: the server's).
    public let statementTimeoutMilliseconds: Int?

    /// A database at `url`; nothing is opened until first use. With `metrics`, every query's
    /// round trip is recorded in `tm_db_query_duration_seconds`. With
    /// `statementTimeoutMilliseconds`, the server cancels any statement running longer
    /// (``DatabaseError/isStatementTimeout``).
    public init(url: String, metrics: MetricsRegion? = nil, statementTimeoutMilliseconds: Int? = nil) {
        self.url = url
        self.connections = ThreadLocal()
        self.metrics = metrics
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// `SELECT pg_sleep`: a statement that takes `milliseconds` (diagnostics: the statement timeout).
    public func sleep(milliseconds: Int) throws {
        _ = try query("SELECT pg_sleep(\(Double(milliseconds) / 1000)::float8) IS NULL AS slept")
    }

    /// This thread's connection, opened or reopened as needed.
    public func connection() throws -> PostgresConnection {
        if let existing = connections.value, existing.isHealthy { return existing }
        connections.value = nil
        let fresh: PostgresConnection
        do {
            fresh = try PostgresConnection(url: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds)
        } catch {
            metrics?.add(MetricCatalog.databaseConnectionErrors)
            throw error
        }
        metrics?.add(MetricCatalog.databaseConnectionsOpened)
        connections.value = fresh
        return fresh
    }

    /// Runs `sql` on this thread's connection; a lost connection is dropped so the next
    /// call reconnects.
    @discardableResult
    public func query(_ sql: SQL) throws -> [Row] {
        try timed { try withConnection { try $0.query(sql) } }
    }

    /// Runs `sql` on this thread's connection and returns its result column by column, in
    /// binary format (see ``ResultColumns``).
    public func columns(_ sql: SQL) throws -> ResultColumns {
        try timed { try withConnection { try $0.columns(sql) } }
    }

    /// One round trip that proves the server answers (readiness checks).
    public func ping() throws {
        _ = try query("SELECT 1 AS one")
    }

    /// Runs `sql` and returns the number of affected rows.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try timed { try withConnection { try $0.execute(sql) } }
    }

    private func timed<T>(_ body: () throws -> T) throws -> T {
        guard let metrics else { return try body() }
        let start = MonotonicClock.seconds()
        defer { metrics.observe(MetricCatalog.databaseDuration, seconds: MonotonicClock.seconds() - start) }
        return try body()
    }

    /// Runs `body` in a transaction on this thread's connection: committed when it returns,
    /// rolled back when it throws.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.transaction { try body(Transaction(connection: $0)) }
        }
    }

    /// Begins a transaction on this thread's connection that outlives one call (a streamed
    /// upload); the caller ends it with ``Transaction/commit()`` or ``Transaction/rollback()``,
    /// and runs nothing else on this thread's connection meanwhile.
    public func begin() throws -> Transaction {
        try withConnection { connection in
            try connection.execute("BEGIN")
            return Transaction(connection: connection)
        }
    }

    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try connection()
        do {
            return try body(connection)
        } catch DatabaseError.unavailable(let message) {
            connections.value = nil
            metrics?.add(MetricCatalog.databaseConnectionErrors)
            throw DatabaseError.unavailable(message)
        }
    }
}
