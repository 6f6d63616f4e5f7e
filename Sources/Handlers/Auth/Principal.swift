import Models
import TMFcgi

/// Who is calling: a user, through a login session's access token or a personal API key.
public struct Principal: Sendable, Equatable {
    /// How the caller authenticated.
    public enum Credential: Sendable, Equatable {
        /// An access token of session `sessionID`.
        case session(sessionID: String)
        /// API key `keyID`.
        case apiKey(keyID: Int64)
    }

    /// The user's id.
    public var userID: Int64
    /// The user's current role (from the session or the database, not from the token).
    public var role: Role
    /// How they authenticated.
    public var credential: Credential
    /// The user's profile JSON as the session caches it (nil for API keys, or before the
    /// session's first snapshot): `GET /auth/me` answers it without touching PostgreSQL.
    public var cachedProfile: String? = nil

    /// The session id, when authenticated by an access token.
    public var sessionID: String? {
        if case .session(let id) = credential { return id }
        return nil
    }

    /// The session id, or a 403 problem for API keys: some actions (managing keys, changing
    /// the password) need an interactive login, so a leaked key cannot entrench itself.
    public func requireSession() throws -> String {
        guard let sessionID else {
            throw Problem(.forbidden, detail: "This action needs a login session; API keys cannot perform it.")
        }
        return sessionID
    }
}
