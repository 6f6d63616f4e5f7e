import Foundation
import PostgresClient
import Security

/// Personal API keys in PostgreSQL, looked up by the SHA-256 of the presented key. Revoked,
/// expired and deactivated owners' keys never authenticate, and the check is made on every
/// request, so revocation takes effect at once.
public struct APIKeyStore: Sendable {
    let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// Stores the hash of `key` for `userID`.
    public func insert(userID: Int64, name: String, key: String, prefix: String, expiresAt: Date?) throws -> APIKeyRecord {
        let rows = try database.query(
            """
            INSERT INTO api_keys (user_id, name, prefix, key_hash, expires_at)
            VALUES (\(userID), \(name), \(prefix), \(Self.hash(key)), \(expiresAt))
            RETURNING \(unsafeFragment: APIKeyRecord.columns)
            """)
        return try APIKeyRecord(row: rows[0])
    }

    /// The owner's keys that are neither revoked nor expired, newest first.
    public func list(userID: Int64) throws -> [APIKeyRecord] {
        try database.query(
            """
            SELECT \(unsafeFragment: APIKeyRecord.columns) FROM api_keys
            WHERE user_id = \(userID) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            ORDER BY created_at DESC, id DESC
            """
        ).map(APIKeyRecord.init(row:))
    }

    /// Revokes key `id` of `userID`; false when the user has no such live key.
    public func revoke(id: Int64, userID: Int64) throws -> Bool {
        try database.execute(
            """
            UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND user_id = \(userID) AND revoked_at IS NULL
            """) > 0
    }

    /// Revokes every key of `userID`; returns how many.
    @discardableResult
    public func revokeAll(userID: Int64) throws -> Int {
        try database.execute("UPDATE api_keys SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL")
    }

    /// The owner of the live key `key` whose account is active, or nil.
    public func authenticate(key: String) throws -> APIKeyOwner? {
        let rows = try database.query(
            """
            SELECT k.id, k.user_id, u.role, (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = \(Self.hash(key)) AND k.revoked_at IS NULL
              AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active
            """)
        guard let row = rows.first else { return nil }
        let id: Int64 = try row.decode("id")
        let roleName: String = try row.decode("role")
        guard let role = Role(rawValue: roleName) else { return nil }
        if try row.decode("stale", as: Bool.self) {
            try database.execute("UPDATE api_keys SET last_used_at = now() WHERE id = \(id)")
        }
        return APIKeyOwner(keyID: id, userID: try row.decode("user_id"), role: role)
    }

    static func hash(_ key: String) -> String { APIKey.hash(key) }
}
