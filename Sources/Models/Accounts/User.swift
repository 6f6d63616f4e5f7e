import Foundation
import PostgresClient

/// An account as the API shows it: never the password hash.
public struct User: Codable, Sendable, Equatable {
    /// The database id.
    public var id: Int64
    /// Lower-cased username.
    public var username: String
    /// Lower-cased email address.
    public var email: String
    /// Display name, if given.
    public var fullName: String?
    /// What the user may do.
    public var role: Role
    /// Whether the user may log in.
    public var isActive: Bool
    /// When the account was made.
    public var createdAt: Date
    /// When the account was last changed.
    public var updatedAt: Date
    /// When the user last logged in successfully.
    public var lastLoginAt: Date?
    /// Bumped by every change to the row (a trigger), so caches keep only the newest state.
    public var version: Int64

    /// The columns ``init(row:)`` reads, for SELECT lists.
    static let columns: SQLFragment = SQLFragment(
        "id, username, email, full_name, role, is_active, created_at, updated_at, last_login_at, version")

    /// Decodes a row holding ``columns``.
    init(row: Row) throws {
        self = try row.decode(as: User.self)
    }
}

/// A user with the stored password hash, for login and password changes only.
public struct UserCredentials: Sendable {
    /// The account.
    public var user: User
    /// The PHC-encoded Argon2id hash.
    public var passwordHash: String
}

extension Role: SQLDecodable {
    /// A role from its stored name; nil for an unknown one.
    public init?(sqlText: String) { self.init(rawValue: sqlText) }
}
