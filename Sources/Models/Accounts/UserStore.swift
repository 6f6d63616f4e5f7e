import Foundation
import JobRuntime
import PostgresClient

/// Accounts in PostgreSQL. Usernames and emails are stored normalised (lower-cased), so
/// lookups compare the normalised input with the column.
public struct UserStore: Sendable {
    let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// The fields of a new account, already validated.
    public struct Draft: Sendable {
        public var username: String
        public var email: String
        public var fullName: String?
        public var passwordHash: String
        public var role: Role

        /// A draft; `username` and `email` are normalised here.
        public init(username: String, email: String, fullName: String?, passwordHash: String, role: Role = .user) {
            self.username = UsernamePolicy.normalized(username)
            self.email = EmailPolicy.normalized(email)
            self.fullName = fullName
            self.passwordHash = passwordHash
            self.role = role
        }
    }

    /// Inserts a user; a taken username or email throws ``AccountConflict``.
    public func insert(_ draft: Draft) throws -> User {
        let rows = try Self.mappingConflicts {
            try database.query(
                """
                INSERT INTO users (username, email, full_name, password_hash, role)
                VALUES (\(draft.username), \(draft.email), \(draft.fullName), \(draft.passwordHash), \(draft.role.rawValue))
                RETURNING \(unsafeFragment: User.columns)
                """)
        }
        return try User(row: rows[0])
    }

    /// Runs `body`, turning a unique violation of the username or email into ``AccountConflict``.
    static func mappingConflicts<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch DatabaseError.query("23505", _, "users_username_key") {
            throw AccountConflict.usernameTaken
        } catch DatabaseError.query("23505", _, "users_email_key") {
            throw AccountConflict.emailTaken
        }
    }

    /// The user with `id`, if any.
    public func find(id: Int64) throws -> User? {
        try database.query("SELECT \(unsafeFragment: User.columns) FROM users WHERE id = \(id)").first.map(User.init(row:))
    }

    /// The user whose username or email is `identifier` (compared case-insensitively), with
    /// the password hash.
    public func credentials(identifier: String) throws -> UserCredentials? {
        let normalized = identifier.lowercased()
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: User.columns), password_hash FROM users
            WHERE username = \(normalized) OR email = \(normalized)
            ORDER BY (username = \(normalized)) DESC LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        return UserCredentials(user: try User(row: row), passwordHash: try row.decode("password_hash"))
    }

    /// The user `id` with the password hash.
    public func credentials(id: Int64) throws -> UserCredentials? {
        let rows = try database.query("SELECT \(unsafeFragment: User.columns), password_hash FROM users WHERE id = \(id)")
        guard let row = rows.first else { return nil }
        return UserCredentials(user: try User(row: row), passwordHash: try row.decode("password_hash"))
    }

    /// Records a successful login, replacing the hash when it was made with old parameters.
    public func recordLogin(id: Int64, newPasswordHash: String? = nil) throws {
        try database.execute(
            """
            UPDATE users SET last_login_at = now(), password_hash = coalesce(\(newPasswordHash), password_hash)
            WHERE id = \(id)
            """)
    }

    /// Changes the profile fields that are given (nil leaves a field as it is); the email is
    /// normalised. A taken email throws ``AccountConflict/emailTaken``.
    public func updateProfile(id: Int64, fullName: String?, email: String?) throws -> User? {
        let rows = try Self.mappingConflicts {
            try database.query(
                """
                UPDATE users SET full_name = coalesce(\(fullName), full_name),
                                 email = coalesce(\(email.map(EmailPolicy.normalized)), email),
                                 updated_at = now()
                WHERE id = \(id) RETURNING \(unsafeFragment: User.columns)
                """)
        }
        return try rows.first.map(User.init(row:))
    }

    /// Replaces the password hash if it is still `expected` (the one the caller verified the
    /// current password against); otherwise throws ``AccountConflict/passwordChanged``, so of
    /// concurrent changes exactly one wins.
    public func updatePassword(id: Int64, from expected: String, to passwordHash: String) throws {
        let changed = try database.execute(
            """
            UPDATE users SET password_hash = \(passwordHash), password_changed_at = now(), updated_at = now()
            WHERE id = \(id) AND password_hash = \(expected)
            """)
        guard changed == 1 else { throw AccountConflict.passwordChanged }
    }

    /// Changes role and/or active flag (nil leaves it).
    public func updateAccess(id: Int64, role: Role?, isActive: Bool?, expectedVersion: Int64? = nil) throws -> User? {
        let rows = try database.query(
            """
            UPDATE users SET role = coalesce(\(role?.rawValue), role), is_active = coalesce(\(isActive), is_active),
                             updated_at = now()
            WHERE id = \(id) AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion))
            RETURNING \(unsafeFragment: User.columns)
            """)
        return try rows.first.map(User.init(row:))
    }

    /// One page of users, newest first, optionally those whose username or email contains
    /// `search` (case-insensitively); and how many match in all.
    public func list(search: String?, limit: Int, offset: Int) throws -> (users: [User], total: Int) {
        let needle = search.map { $0.lowercased() }
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: User.columns) FROM users
            WHERE \(needle)::text IS NULL OR strpos(username, \(needle)) > 0 OR strpos(email, \(needle)) > 0
            ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)
            """)
        let count = try database.query(
            """
            SELECT count(*) AS total FROM users
            WHERE \(needle)::text IS NULL OR strpos(username, \(needle)) > 0 OR strpos(email, \(needle)) > 0
            """)
        return (try rows.map(User.init(row:)), try count[0].decode("total"))
    }
}
