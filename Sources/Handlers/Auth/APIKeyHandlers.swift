import Foundation
import JobRuntime
import Models
import Security
import TMFcgi

/// Personal API keys: `POST/GET /auth/api-keys`, `DELETE /auth/api-keys/:id`. Login sessions
/// only: a key can neither make keys nor see or revoke its owner's.
struct APIKeyHandlers: Sendable {
    let keys: APIKeyStore
    let audit: AuditLog

    /// A key's label: 1 to 100 code points, one line.
    static let nameRules = TextField(field: "/name", label: "Name", code: "name", lengths: 1...100)

    /// The body of `POST /auth/api-keys`.
    struct Draft: Decodable {
        var name: String
        var expiresAt: Date?
    }

    /// A new key: the only time its plaintext is shown.
    struct NewKey: Codable {
        var id: Int64
        var name: String
        var prefix: String
        var key: String
        var createdAt: Date
        var expiresAt: Date?
    }

    /// `POST /auth/api-keys`: 201 with the key, shown once (only its SHA-256 is stored). Needs
    /// a login session: a key cannot make more keys.
    public func create(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let body = try request.decode(Draft.self)
        var issues: [ValidationIssue] = []
        let name = Self.nameRules.normalize(body.name, issues: &issues)
        if let expiresAt = body.expiresAt, expiresAt <= Date() {
            issues.append(ValidationIssue(field: "/expires_at", code: "expires_at.past", message: "must be in the future"))
        }
        try issues.throwIfAny()
        let key = try APIKey.generate()
        let record = try keys.insert(userID: principal.userID, name: name, key: key.plaintext, prefix: key.prefix, expiresAt: body.expiresAt)
        try audit.record(
            "api_key.create", userID: principal.userID, origin: AccountService.origin(request),
            details: ["key_id": String(record.id), "prefix": record.prefix])
        let created = Created(
            NewKey(
                id: record.id, name: record.name, prefix: record.prefix, key: key.plaintext,
                createdAt: record.createdAt, expiresAt: record.expiresAt),
            location: "/api/v1/auth/api-keys/\(record.id)")
        var response = try created.response(for: request)
        response.headers.add("Cache-Control", "no-store")
        return response
    }

    /// `GET /auth/api-keys`: a page of the caller's live keys, newest first (never the key or its hash).
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<APIKeyRecord> {
        let principal = context.principal
        var errors: [FieldError] = []
        let page = PageRequest.parse(try request.queryItems, errors: &errors)
        try QueryValue.check(errors)
        return Page(slicing: try keys.list(userID: principal.userID), request: page) { $0 }
    }

    /// `DELETE /auth/api-keys/:id`: revokes the key at once; another user's or unknown id is 404.
    public func delete(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let principal = context.principal
        let id = try context.parameters.require("id", as: Int64.self)
        guard try keys.revoke(id: id, userID: principal.userID) else {
            throw Problem(.notFound, detail: "You have no API key \(id).")
        }
        try audit.record(
            "api_key.revoke", userID: principal.userID, origin: AccountService.origin(request),
            details: ["key_id": String(id)])
        return NoContent()
    }
}
