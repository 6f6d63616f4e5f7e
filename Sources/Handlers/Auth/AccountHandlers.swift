import Foundation
import Models
import Security
import TMFcgi

/// The caller's own account under `/api/v1/auth`: profile, password, logout. Mounted after
/// ``AuthMiddleware``.
public struct AccountHandlers: Sendable {
    let service: AccountService

    /// Handlers over `service`.
    public init(service: AccountService) {
        self.service = service
    }

    /// Adds the routes.
    public func register(on router: inout Router<AppContext>) {
        router.get("/api/v1/auth/me", use: show)
        router.patch("/api/v1/auth/me", use: update)
        router.post("/api/v1/auth/change-password", use: changePassword)
        router.post("/api/v1/auth/logout", use: logout)
    }

    /// `GET /auth/me`: the caller.
    public func show(_ request: Request, _ context: AppContext) throws -> User {
        let principal = try context.require(.read)
        guard let user = try service.users.find(id: principal.userID) else {
            throw AuthProblem.invalidToken("The account no longer exists.")
        }
        return user
    }

    /// The body of `PATCH /auth/me`.
    struct ProfileChange: Decodable {
        var fullName: String?
        var email: String?
    }

    /// `PATCH /auth/me`: changes `full_name` and/or `email` (409 when the email is taken).
    public func update(_ request: Request, _ context: AppContext) throws -> User {
        let principal = try context.require(.read)
        let body = try request.decode(ProfileChange.self)
        var issues: [ValidationIssue] = []
        if let email = body.email { issues += EmailPolicy.validate(email) }
        let fullName = try FullName.validate(body.fullName, issues: &issues)
        try issues.throwIfAny()
        guard let before = try service.users.find(id: principal.userID),
              let user = try service.users.updateProfile(id: principal.userID, fullName: fullName, email: body.email) else {
            throw AuthProblem.invalidToken("The account no longer exists.")
        }
        if before.email != user.email {
            try service.audit.record("user.email_change", userID: user.id, origin: AccountService.origin(request))
        }
        return user
    }

    /// The body of `POST /auth/change-password`.
    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    /// `POST /auth/change-password`: needs the current password (wrong ones count as failed
    /// logins); ends every other session of the user. 204.
    public func changePassword(_ request: Request, _ context: AppContext) throws -> NoContent {
        let principal = try context.require(.read)
        let sessionID = try principal.requireSession()
        let body = try request.decode(PasswordChange.self)
        guard let credentials = try service.users.credentials(id: principal.userID) else {
            throw AuthProblem.invalidToken("The account no longer exists.")
        }
        let account = LoginThrottle.account(userID: principal.userID)
        if let wait = try service.throttle.retryAfter(account: account, address: request.clientAddress) {
            throw AccountService.LoginError.throttled(retryAfter: wait)
        }
        guard service.hasher.verify(password: body.currentPassword, encoded: credentials.passwordHash) else {
            try service.throttle.recordFailure(account: account, address: request.clientAddress)
            try service.audit.record("password.change_failure", userID: principal.userID, origin: AccountService.origin(request),
                                     details: ["reason": "wrong_current_password"])
            throw Problem.validation([FieldError(pointer: "/current_password", detail: "is incorrect")])
        }
        var issues = PasswordPolicy.validate(body.newPassword, username: credentials.user.username, field: "/new_password")
        if body.newPassword == body.currentPassword {
            issues.append(ValidationIssue(field: "/new_password", code: "password.unchanged",
                                          message: "The new password must differ from the current one."))
        }
        try issues.throwIfAny()
        try service.users.updatePassword(id: principal.userID, passwordHash: try service.hasher.hash(password: body.newPassword))
        let revoked = try service.sessions.revokeAll(userID: principal.userID, except: sessionID)
        try service.audit.record("password.change", userID: principal.userID, origin: AccountService.origin(request),
                                 details: ["other_sessions_revoked": String(revoked)])
        return NoContent()
    }

    /// The body of `POST /auth/logout` (optional).
    struct Logout: Decodable {
        var allDevices: Bool?
    }

    /// `POST /auth/logout`: ends this session, or with `all_devices` every session of the
    /// user; the access token stops working at once. 204.
    public func logout(_ request: Request, _ context: AppContext) throws -> NoContent {
        let principal = try context.requirePrincipal()
        let body = try request.decode(Logout.self, orIfEmpty: Logout(allDevices: nil))
        let all = body.allDevices ?? false
        var count = 0
        if all {
            count = try service.sessions.revokeAll(userID: principal.userID)
        } else {
            let sessionID = try principal.requireSession()
            count = try service.sessions.revoke(id: sessionID) ? 1 : 0
        }
        try service.audit.record("logout", userID: principal.userID, origin: AccountService.origin(request),
                                 details: ["all_devices": all ? "true" : "false", "sessions_revoked": String(count)])
        return NoContent()
    }
}
