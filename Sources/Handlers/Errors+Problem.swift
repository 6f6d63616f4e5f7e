import Models
import TMFcgi

extension DatabaseError: ProblemConvertible {
    /// Unavailable → 503 with `Retry-After`; unique violation → 409; foreign key → 422;
    /// anything else is a server fault (500, details only in the log).
    public var problem: Problem {
        switch self {
        case .unavailable:
            return Problem(.serviceUnavailable, title: "Database unavailable",
                           detail: "The database is not reachable right now. Retry shortly.", headers: [("Retry-After", "1")])
        case .query(let state, _, let constraint) where state == "23505":
            return Problem(.conflict, detail: "A resource with the same \(constraint.map(Self.field) ?? "key") already exists.")
        case .query(let state, _, _) where state == "23503":
            return Problem(.unprocessableContent, detail: "The request refers to a resource that does not exist.")
        default:
            return Problem(.internalServerError, detail: "An unexpected error occurred. Quote the request id when reporting it.")
        }
    }

    /// `users_email_key` → `email`.
    static func field(_ constraint: String) -> String {
        var parts = constraint.split(separator: "_")
        if parts.count > 2 { parts.removeFirst(); parts.removeLast() }
        return parts.joined(separator: "_")
    }
}

extension RedisError: ProblemConvertible {
    /// Redis unreachable → 503: sessions cannot be checked, so fail closed.
    public var problem: Problem {
        switch self {
        case .unavailable:
            return Problem(.serviceUnavailable, title: "Session store unavailable",
                           detail: "The session store is not reachable right now. Retry shortly.", headers: [("Retry-After", "1")])
        case .reply:
            return Problem(.internalServerError, detail: "An unexpected error occurred. Quote the request id when reporting it.")
        }
    }
}
