import Models

/// Who may call a route: declared once per route in ``Routes``, so whether a route is public,
/// open to API keys, or for login sessions only never depends on registration order.
public enum Access: Sendable {
    /// Anyone: no credentials are read (health, login, registration).
    case anyone
    /// A caller authenticated by a session's access token or by an API key, whose role
    /// grants the permission.
    case caller(Permission)
    /// A caller with an interactive login session, whose role grants the permission. Account
    /// management (profile, email, password, sessions, keys, logout) needs this: an API key
    /// gets a 403, so a leaked key cannot lock its owner out or entrench itself.
    case session(Permission)
}
