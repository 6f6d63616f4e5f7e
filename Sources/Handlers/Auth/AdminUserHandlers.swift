import Foundation
import Models
import TMFcgi

/// User management for admins: `GET /admin/users`, `PATCH /admin/users/:id`.
public struct AdminUserHandlers: Sendable {
    let users: UserStore
    let sessions: SessionStore
    let keys: APIKeyStore
    let audit: AuditLog
    /// The largest page.
    static let maximumPageSize = 100
    /// The page size when none is asked for.
    static let defaultPageSize = 20

    /// Handlers over the stores.
    public init(users: UserStore, sessions: SessionStore, keys: APIKeyStore, audit: AuditLog) {
        self.users = users
        self.sessions = sessions
        self.keys = keys
        self.audit = audit
    }

    /// Adds the routes.
    public func register(on router: inout Router<AppContext>) {
        router.get("/api/v1/admin/users", use: list)
        router.patch("/api/v1/admin/users/:id", use: update)
    }

    /// One page of users.
    public struct Page: ResponseEncodable {
        var items: [User]
        var total: Int
        var limit: Int
        var offset: Int
    }

    /// `GET /admin/users?q=&limit=&offset=` (or `page` and `per_page`): newest first, at most
    /// 100 a page; `q` matches part of the username or email, case-insensitively.
    public func list(_ request: Request, _ context: AppContext) throws -> Page {
        try context.require(.admin)
        let query = request.queryItems
        var errors: [FieldError] = []
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let text = query[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                errors.append(FieldError(pointer: name, detail: "must be an integer in \(range.lowerBound)...\(range.upperBound)"))
                return nil
            }
            return value
        }
        let limit = integer("limit", 1...Self.maximumPageSize) ?? integer("per_page", 1...Self.maximumPageSize) ?? Self.defaultPageSize
        var offset = integer("offset", 0...Int(Int32.max)) ?? 0
        if query["offset"] == nil, let page = integer("page", 1...1_000_000) { offset = (page - 1) * limit }
        let search = query["q"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        if let search, search.count > 254 { errors.append(FieldError(pointer: "q", detail: "must be at most 254 characters")) }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The query has invalid parameters.") }
        let (items, total) = try users.list(search: search, limit: limit, offset: offset)
        return Page(items: items, total: total, limit: limit, offset: offset)
    }

    /// The body of `PATCH /admin/users/:id`.
    struct Change: Decodable {
        var role: Role?
        var isActive: Bool?
    }

    /// `PATCH /admin/users/:id`: sets `role` and/or `is_active`. A role change applies to the
    /// user's live sessions at once; deactivation ends their sessions and revokes their keys.
    /// Admins cannot change themselves here (no accidental lock-out).
    public func update(_ request: Request, _ context: AppContext) throws -> User {
        let principal = try context.require(.admin)
        let id = try context.parameters.require("id", as: Int64.self)
        let body = try request.decode(Change.self)
        guard let before = try users.find(id: id) else { throw Problem(.notFound, detail: "No user \(id).") }
        if id == principal.userID {
            throw Problem(.conflict, detail: "You cannot change your own role or active state; ask another admin.")
        }
        guard let user = try users.updateAccess(id: id, role: body.role, isActive: body.isActive) else {
            throw Problem(.notFound, detail: "No user \(id).")
        }
        let origin = AccountService.origin(request)
        if user.role != before.role {
            try sessions.updateRole(userID: id, role: user.role)
            try audit.record("user.role_change", userID: id, origin: origin,
                             details: ["from": before.role.rawValue, "to": user.role.rawValue, "by": String(principal.userID)])
        }
        if before.isActive && !user.isActive {
            let revokedSessions = try sessions.revokeAll(userID: id)
            let revokedKeys = try keys.revokeAll(userID: id)
            try audit.record("user.deactivate", userID: id, origin: origin,
                             details: ["by": String(principal.userID), "sessions_revoked": String(revokedSessions), "keys_revoked": String(revokedKeys)])
        } else if !before.isActive && user.isActive {
            try audit.record("user.activate", userID: id, origin: origin, details: ["by": String(principal.userID)])
        }
        return user
    }
}
