import Foundation

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
        try database.execute("""
            INSERT INTO audit_events (event, user_id, request_id, client_address, details)
            VALUES (\(event), \(userID), \(origin.requestID), \(origin.clientAddress), \(JSONB(json: json))::jsonb)
            """)
    }
}
