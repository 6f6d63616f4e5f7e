/// A login session as kept in Redis (times in seconds since the Unix epoch).
public struct Session: Sendable, Equatable {
    /// Random id, also the `sid` claim of the session's access tokens.
    public var id: String
    /// The user.
    public var userID: Int64
    /// The user's role, updated when an admin changes it.
    public var role: Role
    /// When the session began (login).
    public var createdAt: Int64
    /// When a request last used it (updated at most once a minute).
    public var lastSeenAt: Int64
    /// When it ends, whatever happens: refreshing does not extend it.
    public var expiresAt: Int64
    /// The client address at login.
    public var clientAddress: String
    /// The User-Agent at login.
    public var userAgent: String
}
