import Foundation
import Models
import Security
import TMFcgi

/// Personal API keys: `POST/GET /auth/api-keys`, `DELETE /auth/api-keys/:id`.
public struct APIKeyHandlers: Sendable {
    let keys: APIKeyStore
    let audit: AuditLog

    /// Handlers over the key store.
    public init(keys: APIKeyStore, audit: AuditLog) {
        self.keys = keys
        self.audit = audit
    }

    /// Adds the routes.
    public func register(on router: inout Router<AppContext>) {
        router.post("/api/v1/auth/api-keys", use: create)
        router.get("/api/v1/auth/api-keys", use: list)
        router.delete("/api/v1/auth/api-keys/:id", use: delete)
    }

    /// The body of `POST /auth/api-keys`.
    struct Draft: Decodable {
        var name: String
        // Parsed here rather than by the decoder, whose date errors on Linux carry no coding
        // path and so would be a 400 instead of a 422 naming the field.
        var expiresAt: String?
    }

    /// A new key: the only time its plaintext is shown.
    struct NewKey: Encodable {
        var id: Int64
        var name: String
        var prefix: String
        var key: String
        var createdAt: Date
        var expiresAt: Date?
    }

    /// `POST /auth/api-keys`: 201 with the key, shown once (only its SHA-256 is stored). Needs
    /// a login session: a key cannot make more keys.
    public func create(_ request: Request, _ context: AppContext) throws -> Response {
        let principal = try context.require(.read)
        _ = try principal.requireSession()
        let body = try request.decode(Draft.self)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if !(1...100).contains(name.count) { errors.append(FieldError(pointer: "/name", detail: "must be 1 to 100 characters long")) }
        var expiresAt: Date?
        if let text = body.expiresAt {
            let formatter = ISO8601DateFormatter()
            expiresAt = formatter.date(from: text)
            if expiresAt == nil {
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                expiresAt = formatter.date(from: text)
            }
            if let date = expiresAt {
                if date <= Date() { errors.append(FieldError(pointer: "/expires_at", detail: "must be in the future")) }
            } else {
                errors.append(FieldError(pointer: "/expires_at", detail: "must be an RFC 3339 date-time like 2030-01-31T12:00:00Z"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let key = try APIKey.generate()
        let record = try keys.insert(userID: principal.userID, name: name, key: key.plaintext, prefix: key.prefix, expiresAt: expiresAt)
        try audit.record("api_key.create", userID: principal.userID, origin: AccountService.origin(request),
                         details: ["key_id": String(record.id), "prefix": record.prefix])
        let created = Created(NewKey(id: record.id, name: record.name, prefix: record.prefix, key: key.plaintext,
                                     createdAt: record.createdAt, expiresAt: record.expiresAt),
                              location: "/api/v1/auth/api-keys/\(record.id)")
        var response = try created.response(for: request)
        response.headers.add("Cache-Control", "no-store")
        return response
    }

    /// The list.
    public struct Page: ResponseEncodable {
        var items: [APIKeyRecord]
    }

    /// `GET /auth/api-keys`: the caller's live keys (never the key or its hash).
    public func list(_ request: Request, _ context: AppContext) throws -> Page {
        let principal = try context.require(.read)
        return Page(items: try keys.list(userID: principal.userID))
    }

    /// `DELETE /auth/api-keys/:id`: revokes the key at once; another user's or unknown id is 404.
    public func delete(_ request: Request, _ context: AppContext) throws -> NoContent {
        let principal = try context.require(.read)
        let id = try context.parameters.require("id", as: Int64.self)
        guard try keys.revoke(id: id, userID: principal.userID) else {
            throw Problem(.notFound, detail: "You have no API key \(id).")
        }
        try audit.record("api_key.revoke", userID: principal.userID, origin: AccountService.origin(request),
                         details: ["key_id": String(id)])
        return NoContent()
    }
}
