import Models
import TMFcgi

/// Optimistic concurrency over HTTP, as the API conventions set it: an editable object's
/// `version` is its `ETag`, and `If-Match` names the version a write expects (412 when stale).
enum Versioning {
    /// The ETag of a version.
    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// The version `request`'s `If-Match` names; nil without one or for `*`, 412 when it
    /// names none (`noun` says of what, e.g. "strategy").
    static func expectedVersion(_ request: Request, of noun: String) throws -> Int64? {
        guard let value = request.headers["If-Match"]?.trimmingSpaces, value != "*" else { return nil }
        var tag = Substring(value)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\""), let version = Int64(tag.dropFirst().dropLast()) else {
            throw Problem(.preconditionFailed, detail: "If-Match does not name a version of this \(noun).")
        }
        return version
    }

    /// The 412 of a write whose `If-Match` named an older version of the `noun` than `current`,
    /// with the current ETag.
    static func stale(_ noun: String, current: Int64) -> Problem {
        Problem(
            .preconditionFailed, detail: "The \(noun) was changed meanwhile (now version \(current)); fetch it again.",
            headers: [("ETag", etag(current))])
    }

    /// `object` as JSON with the ETag of `version` (and `Location` when given).
    static func respond<Object: Encodable>(
        _ object: Object, version: Int64, status: HTTPStatus = .ok,
        location: String? = nil
    ) throws -> Response {
        var response = try JSONCoding.response(object, status: status)
        response.headers.add("ETag", etag(version))
        if let location { response.headers.add("Location", location) }
        return response
    }
}

extension Principal {
    /// Whose objects this caller reaches: its own (its user id), or everyone's for an admin (nil).
    var ownerScope: Int64? { role == .admin ? nil : userID }
}
