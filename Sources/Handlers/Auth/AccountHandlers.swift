import Foundation
import Models
import Security
import TMFcgi

/// The caller's own account under `/api/v1/auth`: profile, password, logout. Reading the
/// profile is open to API keys; changing anything needs a login session.
struct AccountHandlers: Sendable {
    let service: AccountService

    /// `GET /auth/me`: the caller. With a session this is the profile the session caches
    /// (one Redis round trip for the whole request); with an API key, the database's.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        if let profile = principal.cachedProfile { return Response.json(profile) }
        return try JSONCoding.response(try service.profile(userID: principal.userID), status: .ok)
    }

    /// The body of `PATCH /auth/me`.
    struct ProfileChange: Decodable {
        var fullName: String?
        var email: String?
    }

    /// `PATCH /auth/me`: changes `full_name` and/or `email` (409 when the email is taken; a
    /// new email revokes the user's API keys).
    public func update(_ request: Request, _ context: AuthenticatedContext) throws -> User {
        let principal = context.principal
        let body = try request.decode(ProfileChange.self)
        var issues: [ValidationIssue] = []
        if let email = body.email { issues += EmailPolicy.validate(email) }
        let fullName = FullName.validate(body.fullName, issues: &issues)
        try issues.throwIfAny()
        return try service.updateProfile(userID: principal.userID, fullName: fullName, email: body.email, request: request)
    }

    /// The body of `POST /auth/change-password`.
    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    /// `POST /auth/change-password`: needs the current password (wrong ones count as failed
    /// logins); ends every other session of the user and revokes their API keys. 204; 409
    /// when a concurrent change won.
    public func changePassword(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let principal = context.principal
        let body = try request.decode(PasswordChange.self)
        try service.changePassword(
            userID: principal.userID, keepingSession: try principal.requireSession(),
            current: body.currentPassword, new: body.newPassword, request: request)
        return NoContent()
    }

    /// The body of `POST /auth/logout` (optional).
    struct Logout: Decodable {
        var allDevices: Bool?
    }

    /// `POST /auth/logout`: ends this session, or with `all_devices` every session of the
    /// user; the access token stops working at once. 204.
    public func logout(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let principal = context.principal
        let body = try request.decode(Logout.self, orIfEmpty: Logout(allDevices: nil))
        _ = try service.logout(
            userID: principal.userID, sessionID: try principal.requireSession(),
            allDevices: body.allDevices ?? false, request: request)
        return NoContent()
    }
}
