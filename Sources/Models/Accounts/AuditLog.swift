import Foundation
import PostgresClient

/// Security events in `audit_events`. Callers pass only non-secret details (ids, reasons,
/// role names): never a password, hash, token or key.
public struct AuditLog: Sendable {
    let database: Database

    /// A log over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Where an event came from.
    public struct Origin: Sendable {
        public var requestID: String?
        public var clientAddress: String?

        /// An origin from a request's id and client address (nil for the command line).
        public init(requestID: String?, clientAddress: String?) {
            self.requestID = requestID
            self.clientAddress = clientAddress
        }
    }

    /// Appends one event.
    public func record(_ event: String, userID: Int64?, origin: Origin, details: [String: String] = [:]) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try database.execute(
            """
            INSERT INTO audit_events (event, user_id, request_id, client_address, details)
            VALUES (\(event), \(userID), \(origin.requestID), \(origin.clientAddress), \(JSONB(json: json))::jsonb)
            """)
    }

    /// Deletes events older than `days`, oldest first, in batches of at most `batchSize`
    /// rows; returns how many (`tm prune`, `TM_AUDIT_RETENTION_DAYS`).
    public func prune(olderThanDays days: Int, batchSize: Int = Database.pruneBatchSize) throws -> Int {
        try database.deleteInBatches(batchSize: batchSize) { limit in
            """
            DELETE FROM audit_events WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM audit_events WHERE occurred_at < now() - \(days)::integer * interval '1 day'
                ORDER BY occurred_at LIMIT \(limit)))
            """
        }
    }

    /// How many events ``prune(olderThanDays:batchSize:)`` would delete now.
    public func prunable(olderThanDays days: Int) throws -> Int {
        try database.count("SELECT count(*) AS n FROM audit_events WHERE occurred_at < now() - \(days)::integer * interval '1 day'")
    }
}
