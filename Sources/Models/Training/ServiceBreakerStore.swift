import Foundation
import PostgresClient
import TradeMasterAPI

/// The circuit breakers' last recorded states (`service_breakers`), written by the job
/// workers on each change and read by `GET /api/v1/status`.
public struct ServiceBreakerStore: Sendable {
    /// The database.
    public let database: Database

    /// A store in `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Records `snapshot` for `service` (best effort: a failure is ignored, the breaker
    /// works without its record).
    public func record(_ service: String, _ snapshot: CircuitBreaker.Snapshot) {
        _ = try? database.execute(
            """
            INSERT INTO service_breakers (service, state, failures, open_until, last_error, updated_at)
            VALUES (\(service), \(snapshot.state.rawValue), \(snapshot.failures), \(snapshot.openUntil), \(snapshot.lastError.map { String($0.prefix(300)) }), now())
            ON CONFLICT (service) DO UPDATE SET state = EXCLUDED.state, failures = EXCLUDED.failures,
                open_until = EXCLUDED.open_until, last_error = EXCLUDED.last_error, updated_at = now()
            """)
    }

    /// The state of `service` now: the recorded one, read against the clock. An open
    /// breaker whose `open_until` has passed lets the next call through as a trial whether or
    /// not a worker has called since, so it is `half_open` then (never an expired `open`);
    /// `openUntil` is set only while it is open.
    public func state(_ service: String) throws -> (state: String, openUntil: Date?, updatedAt: Date)? {
        guard
            let row = try database.query(
                """
                SELECT CASE WHEN state = 'open' AND (open_until IS NULL OR open_until <= now()) THEN 'half_open' ELSE state END AS state,
                    CASE WHEN state = 'open' AND open_until > now() THEN open_until END AS open_until, updated_at
                FROM service_breakers WHERE service = \(service)
                """
            ).first
        else { return nil }
        return (try row.decode("state"), try row.decodeIfPresent("open_until"), try row.decode("updated_at"))
    }
}
