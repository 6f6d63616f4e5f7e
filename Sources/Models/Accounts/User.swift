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
        id = try row.decode("id")
        username = try row.decode("username")
        email = try row.decode("email")
        fullName = try row.decodeIfPresent("full_name")
        let roleName: String = try row.decode("role")
        guard let role = Role(rawValue: roleName) else {
            throw DatabaseError.decoding(column: "role", reason: "unknown role \(roleName)")
        }
        self.role = role
        isActive = try row.decode("is_active")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        lastLoginAt = try row.decodeIfPresent("last_login_at")
        version = try row.decode("version")
    }
}

/// A user with the stored password hash, for login and password changes only.
public struct UserCredentials: Sendable {
    /// The account.
    public var user: User
    /// The PHC-encoded Argon2id hash.
    public var passwordHash: String
}
