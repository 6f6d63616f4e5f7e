import Foundation
import PostgresClient

/// Business and database figures for the metrics endpoints, read at scrape time: active
/// users, strategy executions by mode and status, and the server's connections to this
/// database.
public struct BusinessStatistics: Sendable {
    /// The database.
    public let database: Database

    /// Statistics of `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Users (active accounts) who signed in within each window: `1h`, `24h`, `7d`.
    public func activeUsers() throws -> [(window: String, count: Int)] {
        let row = try database.query(
            """
            SELECT count(*) FILTER (WHERE last_login_at > now() - interval '1 hour') AS h1,
                   count(*) FILTER (WHERE last_login_at > now() - interval '24 hours') AS h24,
                   count(*) FILTER (WHERE last_login_at > now() - interval '7 days') AS d7
            FROM users WHERE is_active
            """)[0]
        return [("1h", try row.decode("h1")), ("24h", try row.decode("h24")), ("7d", try row.decode("d7"))]
    }

    /// Runs by mode and status.
    public func executions() throws -> [(mode: String, status: String, count: Int)] {
        try database.query("SELECT mode, status, count(*) AS n FROM runs GROUP BY mode, status ORDER BY mode, status").map {
            (mode: try $0.decode("mode"), status: try $0.decode("status"), count: try $0.decode("n"))
        }
    }

    /// The server's connections to this database by state (`active`, `idle`, …).
    public func serverConnections() throws -> [(state: String, count: Int)] {
        try database.query(
            """
            SELECT coalesce(state, 'unknown') AS state, count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() GROUP BY 1 ORDER BY 1
            """
        ).map { (state: try $0.decode("state"), count: try $0.decode("n")) }
    }
}
