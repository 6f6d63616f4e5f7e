import Foundation
import Models
import TMFcgi

/// User management for admins: `GET /admin/users`, `PATCH /admin/users/:id`.
struct AdminUserHandlers: Sendable {
    /// The account service, whose stores (users, sessions, keys, audit) these routes use.
    let service: AccountService

    /// `GET /admin/users?q=&limit=&offset=` (or `page` and `per_page`): newest first, at most
    /// 100 a page; `q` matches part of the username or email, case-insensitively.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<User> {
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let search = QueryValue.text(query, "q", 0...254, errors: &errors).flatMap { $0.isEmpty ? nil : $0 }
        try QueryValue.check(errors)
        let (items, total) = try service.users.list(search: search, limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// The body of `PATCH /admin/users/:id`.
    struct Change: Decodable {
        var role: Role?
        var isActive: Bool?
    }

    /// `PATCH /admin/users/:id`: sets `role` and/or `is_active` (with `If-Match`, only over that
    /// version: 412 with the current ETag otherwise; the answer carries the new ETag). Revocation follows the target
    /// state, not the difference, so a retry repairs a change that failed half-way: an
    /// inactive user always has their sessions ended and keys revoked, and the role is always
    /// pushed to their live sessions. Admins cannot change themselves here (no accidental
    /// lock-out).
    public func update(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let id = try context.parameters.require("id", as: Int64.self)
        let body = try request.decode(Change.self)
        let expected = try Versioning.expectedVersion(request, of: "user")
        guard let before = try service.users.find(id: id) else { throw Problem(.notFound, detail: "No user \(id).") }
        if id == principal.userID {
            throw Problem(.conflict, detail: "You cannot change your own role or active state; ask another admin.")
        }
        guard let user = try service.users.updateAccess(id: id, role: body.role, isActive: body.isActive, expectedVersion: expected) else {
            guard let current = try service.users.find(id: id) else { throw Problem(.notFound, detail: "No user \(id).") }
            throw Versioning.stale("user", current: current.version)
        }
        let origin = AccountService.origin(request)
        try service.publish(user)
        if user.role != before.role {
            try service.audit.record(
                "user.role_change", userID: id, origin: origin,
                details: ["from": before.role.rawValue, "to": user.role.rawValue, "by": String(principal.userID)])
        }
        if !user.isActive {
            let revokedSessions = try service.sessions.revokeAll(userID: id)
            let revokedKeys = try service.keys.revokeAll(userID: id)
            if before.isActive || revokedSessions + revokedKeys > 0 {
                try service.audit.record(
                    "user.deactivate", userID: id, origin: origin,
                    details: [
                        "by": String(principal.userID), "sessions_revoked": String(revokedSessions),
                        "keys_revoked": String(revokedKeys),
                    ])
            }
        } else if !before.isActive {
            try service.audit.record("user.activate", userID: id, origin: origin, details: ["by": String(principal.userID)])
        }
        return try Versioning.respond(user, version: user.version)
    }
}
