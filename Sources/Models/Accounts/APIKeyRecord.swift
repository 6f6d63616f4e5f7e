import Foundation
import PostgresClient

/// A stored personal API key as its owner sees it: never the key or its hash.
public struct APIKeyRecord: Codable, Sendable, Equatable {
    /// The database id.
    public var id: Int64
    /// The owner's label.
    public var name: String
    /// The key id: the 8 characters after `tmk_`.
    public var prefix: String
    /// When it was made.
    public var createdAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it last authenticated a request (updated at most once a minute).
    public var lastUsedAt: Date?

    static let columns = SQLFragment("id, name, prefix, created_at, expires_at, last_used_at")

    init(row: Row) throws {
        self = try row.decode(as: APIKeyRecord.self)
    }
}

/// The owner of a key that authenticated a request.
public struct APIKeyOwner: Sendable {
    /// The key's id.
    public var keyID: Int64
    /// The owner's id.
    public var userID: Int64
    /// The owner's current role.
    public var role: Role
}
