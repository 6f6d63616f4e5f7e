import Models
import Security
import TMFcgi

/// The login and token logic shared by the JSON login, the OAuth2 password grant, refresh,
/// registration and the password change: hashing, throttling, sessions, tokens and audit.
public struct AccountService: Sendable {
    let users: UserStore
    let sessions: SessionStore
    let throttle: LoginThrottle
    let audit: AuditLog
    let hasher: PasswordHasher
    let signer: JWTSigner
    /// Access-token lifetime in seconds.
    let accessLifetime: Int64
    /// Session lifetime with `remember_me` (REFRESH_TOKEN_EXPIRE_DAYS).
    let rememberedLifetime: Int64
    /// Session lifetime without `remember_me`: one day, or less if the setting is shorter.
    var defaultLifetime: Int64 { min(rememberedLifetime, 86_400) }

    /// A service over its stores.
    public init(users: UserStore, sessions: SessionStore, throttle: LoginThrottle, audit: AuditLog,
                hasher: PasswordHasher, signer: JWTSigner, accessLifetime: Int64, rememberedLifetime: Int64) {
        self.users = users
        self.sessions = sessions
        self.throttle = throttle
        self.audit = audit
        self.hasher = hasher
        self.signer = signer
        self.accessLifetime = accessLifetime
        self.rememberedLifetime = rememberedLifetime
    }

    /// Why a login failed.
    public enum LoginError: Error, ProblemConvertible {
        /// Too many failures: retry after this many seconds.
        case throttled(retryAfter: Int64)
        /// Unknown user or wrong password (deliberately indistinguishable).
        case invalidCredentials
        /// The password was right but the account is deactivated.
        case inactive

        public var problem: Problem {
            switch self {
            case .throttled(let seconds):
                return Problem(.tooManyRequests, detail: "Too many failed logins. Try again in \(seconds) seconds.",
                               headers: [("Retry-After", String(seconds))])
            case .invalidCredentials:
                return Problem(.unauthorized, detail: "Incorrect username or password.", headers: [("WWW-Authenticate", "Bearer")])
            case .inactive:
                return Problem(.forbidden, detail: "This account has been deactivated.")
            }
        }
    }

    /// The audit origin of `request`.
    static func origin(_ request: Request) -> AuditLog.Origin {
        AuditLog.Origin(requestID: request.requestID, clientAddress: request.clientAddress)
    }

    /// Checks the password of the user named `identifier` (username or email) under the
    /// failed-login throttle, then starts a session.
    public func login(identifier: String, password: String, rememberMe: Bool, request: Request) throws -> (User, TokenPair) {
        let credentials = try users.credentials(identifier: identifier)
        let account = credentials.map { LoginThrottle.account(userID: $0.user.id) } ?? LoginThrottle.account(identifier: identifier)
        if let wait = try throttle.retryAfter(account: account, address: request.clientAddress) {
            throw LoginError.throttled(retryAfter: wait)
        }
        guard let credentials else {
            _ = hasher.verifyUnknownUser(password: password)
            try throttle.recordFailure(account: account, address: request.clientAddress)
            try audit.record("login.failure", userID: nil, origin: Self.origin(request), details: ["reason": "unknown_user"])
            throw LoginError.invalidCredentials
        }
        guard hasher.verify(password: password, encoded: credentials.passwordHash) else {
            try throttle.recordFailure(account: account, address: request.clientAddress)
            try audit.record("login.failure", userID: credentials.user.id, origin: Self.origin(request), details: ["reason": "wrong_password"])
            throw LoginError.invalidCredentials
        }
        guard credentials.user.isActive else {
            try audit.record("login.failure", userID: credentials.user.id, origin: Self.origin(request), details: ["reason": "inactive"])
            throw LoginError.inactive
        }
        try throttle.reset(account: account)
        let rehash = hasher.needsRehash(encoded: credentials.passwordHash) ? try hasher.hash(password: password) : nil
        try users.recordLogin(id: credentials.user.id, newPasswordHash: rehash)
        let lifetime = rememberMe ? rememberedLifetime : defaultLifetime
        let (session, refreshToken) = try sessions.create(
            userID: credentials.user.id, role: credentials.user.role, clientAddress: request.clientAddress,
            userAgent: request.headers["User-Agent"] ?? "", lifetime: lifetime)
        try audit.record("login.success", userID: credentials.user.id, origin: Self.origin(request),
                         details: ["session_id": session.id, "remember_me": rememberMe ? "true" : "false"])
        return (credentials.user, try tokens(session: session, refreshToken: refreshToken))
    }

    /// A fresh access token for `session`, paired with `refreshToken`.
    func tokens(session: Session, refreshToken: String) throws -> TokenPair {
        let claims = try signer.makeClaims(subject: String(session.userID), sessionID: session.id,
                                           role: session.role.rawValue, lifetime: accessLifetime)
        return TokenPair(accessToken: signer.sign(claims), refreshToken: refreshToken, expiresIn: accessLifetime)
    }

    /// Rotates `refreshToken`; reuse of a used token revokes its session and is audited.
    public func refresh(_ refreshToken: String, request: Request) throws -> TokenPair {
        switch try sessions.rotate(refreshToken: refreshToken) {
        case .rotated(let session, let next):
            return try tokens(session: session, refreshToken: next)
        case .reused(let session):
            try audit.record("refresh.reuse", userID: session?.userID, origin: Self.origin(request),
                             details: ["session_id": session?.id ?? "", "action": "session_revoked"])
            throw AuthProblem.invalidToken("This refresh token was already used; the session has been revoked.")
        case .invalid:
            throw AuthProblem.invalidToken("The refresh token is invalid or expired.")
        }
    }
}
