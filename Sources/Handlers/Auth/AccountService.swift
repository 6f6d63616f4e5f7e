import Metrics
import Models
import Security
import TMFcgi

/// The account operations behind `/api/v1/auth`: registration, login (JSON and OAuth2
/// password grant), refresh, profile, password change and logout. Handlers call these and
/// never the stores: hashing, throttling, sessions, keys, tokens and audit stay in one place.
public struct AccountService: Sendable {
    let users: UserStore
    let sessions: SessionStore
    let keys: APIKeyStore
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
    /// Where login outcomes are counted (`tm_logins_total{result}`).
    let metrics: MetricsRegion?

    /// Why a login failed.
    public enum LoginError: Error, ProblemConvertible {
        /// Too many failures: retry after this many seconds.
        case throttled(retryAfter: Int64)
        /// Verifications in flight for the account or the address fill the throttle's room.
        case busy
        /// Unknown user or wrong password (deliberately indistinguishable).
        case invalidCredentials
        /// The password was right but the account is deactivated.
        case inactive

        public var problem: Problem {
            switch self {
            case .throttled(let seconds):
                return Problem(
                    .tooManyRequests, detail: "Too many failed logins. Try again in \(seconds) seconds.",
                    headers: [("Retry-After", String(seconds))])
            case .busy:
                return Problem(
                    .tooManyRequests,
                    detail: "Other sign-in attempts for this account or from this address are still being checked. Try again in a second.",
                    headers: [("Retry-After", "1")])
            case .invalidCredentials:
                return Problem(.unauthorized, detail: "Incorrect username or password.", headers: [("WWW-Authenticate", "Bearer")])
            case .inactive:
                return Problem(.forbidden, detail: "This account has been deactivated.")
            }
        }
    }

    /// A place for one password verification under the throttle: waits up to 2 s while
    /// other verifications in flight fill it (``LoginError/busy`` after that), refuses at once
    /// when failures fill it (``LoginError/throttled(retryAfter:)``).
    private func reserveAttempt(account: String, request: Request) throws -> LoginThrottle.Attempt {
        switch try throttle.reserve(account: account, address: request.clientAddress, patience: .seconds(2)) {
        case .allowed(let attempt): return attempt
        case .throttled(let seconds): throw LoginError.throttled(retryAfter: seconds)
        case .busy: throw LoginError.busy
        }
    }

    /// The audit origin of `request`.
    static func origin(_ request: Request) -> AuditLog.Origin {
        AuditLog.Origin(requestID: request.requestID, clientAddress: request.clientAddress)
    }

    /// A new account with role `user` (``AccountConflict`` when the username or email is taken).
    public func register(username: String, email: String, password: String, fullName: String?, request: Request) throws -> User {
        let hash = try hasher.hash(password: password)
        let user = try users.insert(
            .init(
                username: username, email: email,
                fullName: fullName.flatMap { $0.isEmpty ? nil : $0 }, passwordHash: hash))
        try audit.record("user.register", userID: user.id, origin: Self.origin(request), details: ["username": user.username])
        return user
    }

    /// Checks the password of the user named `identifier` (username or email) under the
    /// failed-login throttle, then starts a session.
    public func login(identifier: String, password: String, rememberMe: Bool, request: Request) throws -> (User, TokenPair) {
        do {
            let outcome = try verifiedLogin(identifier: identifier, password: password, rememberMe: rememberMe, request: request)
            count("ok")
            return outcome
        } catch let error as LoginError {
            switch error {
            case .throttled: count("throttled")
            case .busy: count("busy")
            case .invalidCredentials: count("failed")
            case .inactive: count("inactive")
            }
            throw error
        }
    }

    private func count(_ result: String) {
        metrics?.add(MetricCatalog.series(MetricCatalog.logins, [("result", result)]))
    }

    private func verifiedLogin(identifier: String, password: String, rememberMe: Bool, request: Request) throws -> (User, TokenPair) {
        let credentials = try users.credentials(identifier: identifier)
        let account = credentials.map { LoginThrottle.account(userID: $0.user.id) } ?? LoginThrottle.account(identifier: identifier)
        // The attempt is held before the slow verification, so parallel guesses cannot all
        // pass the limit check first.
        let attempt = try reserveAttempt(account: account, request: request)
        guard let credentials else {
            _ = hasher.verifyUnknownUser(password: password)
            try throttle.settle(attempt, succeeded: false)
            try audit.record("login.failure", userID: nil, origin: Self.origin(request), details: ["reason": "unknown_user"])
            throw LoginError.invalidCredentials
        }
        let verified = hasher.verify(password: password, encoded: credentials.passwordHash)
        try throttle.settle(attempt, succeeded: verified)
        guard verified else {
            try audit.record("login.failure", userID: credentials.user.id, origin: Self.origin(request), details: ["reason": "wrong_password"])
            throw LoginError.invalidCredentials
        }
        guard credentials.user.isActive else {
            try audit.record("login.failure", userID: credentials.user.id, origin: Self.origin(request), details: ["reason": "inactive"])
            throw LoginError.inactive
        }
        let rehash = hasher.needsRehash(encoded: credentials.passwordHash) ? try hasher.hash(password: password) : nil
        try users.recordLogin(id: credentials.user.id, newPasswordHash: rehash)
        let lifetime = rememberMe ? rememberedLifetime : defaultLifetime
        var (session, refreshToken) = try sessions.create(
            userID: credentials.user.id, role: credentials.user.role, clientAddress: request.clientAddress,
            userAgent: request.headers["User-Agent"] ?? "", lifetime: lifetime)
        // Re-read the account now that the session exists: a deactivation or role change that
        // committed during the verification either is seen here, or ran its session
        // revocation after this session was created and so reached it.
        guard let current = try users.find(id: credentials.user.id), current.isActive else {
            try sessions.revoke(id: session.id)
            try audit.record("login.failure", userID: credentials.user.id, origin: Self.origin(request), details: ["reason": "inactive"])
            throw LoginError.inactive
        }
        try publish(current)
        session.role = current.role
        try audit.record(
            "login.success", userID: current.id, origin: Self.origin(request),
            details: ["session_id": session.id, "remember_me": rememberMe ? "true" : "false"])
        return (current, try tokens(session: session, refreshToken: refreshToken))
    }

    /// A fresh access token for `session`, paired with `refreshToken`.
    func tokens(session: Session, refreshToken: String) throws -> TokenPair {
        let claims = try signer.makeClaims(
            subject: String(session.userID), sessionID: session.id,
            role: session.role.rawValue, lifetime: accessLifetime)
        return TokenPair(accessToken: signer.sign(claims), refreshToken: refreshToken, expiresIn: accessLifetime)
    }

    /// Rotates `refreshToken`; reuse of a used token revokes its session and is audited.
    public func refresh(_ refreshToken: String, request: Request) throws -> TokenPair {
        switch try sessions.rotate(refreshToken: refreshToken) {
        case .rotated(let session, let next):
            return try tokens(session: session, refreshToken: next)
        case .reused(let session):
            try audit.record(
                "refresh.reuse", userID: session?.userID, origin: Self.origin(request),
                details: ["session_id": session?.id ?? "", "action": "session_revoked"])
            throw AuthProblem.invalidToken("This refresh token was already used; the session has been revoked.")
        case .invalid:
            throw AuthProblem.invalidToken("The refresh token is invalid or expired.")
        }
    }

    /// Pushes `user` (role and profile) to their live sessions: called after every change to a
    /// user row, so a role change applies at once and `GET /auth/me` reads the session alone.
    public func publish(_ user: User) throws {
        let profile = String(decoding: try JSONCoding.makeEncoder().encode(user), as: UTF8.self)
        try sessions.publish(userID: user.id, version: user.version, role: user.role, profile: profile)
    }

    /// The account of `userID`; 401 when it no longer exists.
    public func profile(userID: Int64) throws -> User {
        guard let user = try users.find(id: userID) else { throw AuthProblem.invalidToken("The account no longer exists.") }
        return user
    }

    /// Changes the name and/or email. A new email also revokes every API key of the user:
    /// whoever changes where the account's mail goes should not leave keys made before behind.
    public func updateProfile(userID: Int64, fullName: String?, email: String?, request: Request) throws -> User {
        let before = try profile(userID: userID)
        guard let user = try users.updateProfile(id: userID, fullName: fullName, email: email) else {
            throw AuthProblem.invalidToken("The account no longer exists.")
        }
        try publish(user)
        if before.email != user.email {
            let revoked = try keys.revokeAll(userID: userID)
            try audit.record(
                "user.email_change", userID: user.id, origin: Self.origin(request),
                details: ["api_keys_revoked": String(revoked)])
        }
        return user
    }

    /// Why a password change was refused (beyond throttling and a lost race).
    public enum PasswordChangeError: Error {
        /// The current password given is wrong.
        case wrongCurrentPassword
        /// The new password breaks these rules.
        case invalid([ValidationIssue])
    }

    /// Changes the password of `userID` after checking `current` (wrong ones count as failed
    /// logins). Compare-and-set on the verified hash: of concurrent changes one wins and the
    /// others get ``AccountConflict/passwordChanged``. Ends every other session of the user
    /// and revokes all their API keys.
    public func changePassword(
        userID: Int64, keepingSession sessionID: String, current: String, new: String,
        request: Request
    ) throws {
        guard let credentials = try users.credentials(id: userID) else {
            throw AuthProblem.invalidToken("The account no longer exists.")
        }
        let account = LoginThrottle.account(userID: userID)
        let attempt = try reserveAttempt(account: account, request: request)
        let verified = hasher.verify(password: current, encoded: credentials.passwordHash)
        try throttle.settle(attempt, succeeded: verified)
        guard verified else {
            try audit.record(
                "password.change_failure", userID: userID, origin: Self.origin(request),
                details: ["reason": "wrong_current_password"])
            throw PasswordChangeError.wrongCurrentPassword
        }
        var issues = PasswordPolicy.validate(new, username: credentials.user.username, field: "/new_password")
        if new == current {
            issues.append(
                ValidationIssue(
                    field: "/new_password", code: "password.unchanged",
                    message: "The new password must differ from the current one."))
        }
        guard issues.isEmpty else { throw PasswordChangeError.invalid(issues) }
        try users.updatePassword(id: userID, from: credentials.passwordHash, to: try hasher.hash(password: new))
        let revokedSessions = try sessions.revokeAll(userID: userID, except: sessionID)
        let revokedKeys = try keys.revokeAll(userID: userID)
        if let user = try users.find(id: userID) { try publish(user) }
        try audit.record(
            "password.change", userID: userID, origin: Self.origin(request),
            details: ["other_sessions_revoked": String(revokedSessions), "api_keys_revoked": String(revokedKeys)])
    }

    /// Ends session `sessionID`, or with `allDevices` every session of the user; returns how
    /// many were live.
    public func logout(userID: Int64, sessionID: String, allDevices: Bool, request: Request) throws -> Int {
        let count = allDevices ? try sessions.revokeAll(userID: userID) : (try sessions.revoke(id: sessionID) ? 1 : 0)
        try audit.record(
            "logout", userID: userID, origin: Self.origin(request),
            details: ["all_devices": allDevices ? "true" : "false", "sessions_revoked": String(count)])
        return count
    }
}

extension AccountService.PasswordChangeError: ProblemConvertible {
    /// 422 naming the field.
    public var problem: Problem {
        switch self {
        case .wrongCurrentPassword: return .validation([FieldError(pointer: "/current_password", detail: "is incorrect")])
        case .invalid(let issues): return .validation(issues.map { FieldError(pointer: $0.field, detail: $0.message) })
        }
    }
}
