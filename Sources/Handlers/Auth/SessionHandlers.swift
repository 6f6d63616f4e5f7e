import Foundation
import Models
import TMFcgi

/// The caller's login sessions: `GET /auth/sessions`, `DELETE /auth/sessions/:id` (login
/// sessions only: an API key can neither list nor end them).
struct SessionHandlers: Sendable {
    let sessions: SessionStore
    let audit: AuditLog

    /// One session as its owner sees it.
    public struct Item: Codable {
        var id: String
        var createdAt: Date
        var lastSeenAt: Date
        var expiresAt: Date
        var ipAddress: String
        var userAgent: String
        var current: Bool
    }

    /// `GET /auth/sessions`: a page of the caller's live sessions, newest first.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<Item> {
        let principal = context.principal
        var errors: [FieldError] = []
        let page = PageRequest.parse(try request.queryItems, errors: &errors)
        try QueryValue.check(errors)
        return Page(slicing: try sessions.list(userID: principal.userID), request: page) { session in
            Item(
                id: session.id, createdAt: Date(timeIntervalSince1970: Double(session.createdAt)),
                lastSeenAt: Date(timeIntervalSince1970: Double(session.lastSeenAt)),
                expiresAt: Date(timeIntervalSince1970: Double(session.expiresAt)),
                ipAddress: session.clientAddress, userAgent: session.userAgent, current: session.id == principal.sessionID)
        }
    }

    /// `DELETE /auth/sessions/:id`: ends one of the caller's sessions; another user's (or an
    /// unknown) id is 404, so ids cannot be probed.
    public func delete(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let principal = context.principal
        let id = try context.parameters.require("id", as: String.self)
        guard let session = try sessions.find(id: id), session.userID == principal.userID else {
            throw Problem(.notFound, detail: "You have no session \(id).")
        }
        try sessions.revoke(id: id)
        try audit.record(
            "session.revoke", userID: principal.userID, origin: AccountService.origin(request),
            details: ["session_id": id])
        return NoContent()
    }
}
