/// An RFC 9457 problem: the only shape an error response ever has.
///
/// Throw one from a handler, or conform a domain error to ``ProblemConvertible``; the
/// responder turns it into an `application/problem+json` response in one place.
public struct Problem: Error, Sendable {
    /// The HTTP status.
    public var status: HTTPStatus
    /// A URI reference naming the problem type; `about:blank` means "just the status".
    public var type: String
    /// A short summary of the problem type.
    public var title: String
    /// What went wrong with this request, for a human.
    public var detail: String?
    /// Field-level failures for validation problems.
    public var errors: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: [(String, String)]
    /// How many errors there were in all, when `errors` lists only the first ones (an upload's bad rows).
    public var errorCount: Int?

    /// A problem of `status`; `type` defaults to `about:blank` and `title` to the reason phrase.
    public init(
        _ status: HTTPStatus, type: String = "about:blank", title: String? = nil,
        detail: String? = nil, errors: [FieldError] = [], headers: [(String, String)] = []
    ) {
        self.status = status
        self.type = type
        self.title = title ?? status.reason
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.errorCount = nil
    }

    /// The 500 of anything unexpected: its body says only to quote the request id (the
    /// error itself goes to the log, never to the client).
    public static var unexpected: Problem {
        Problem(.internalServerError, detail: "An unexpected error occurred. Quote the request id when reporting it.")
    }

    /// A 422 validation problem listing every failed field.
    public static func validation(_ errors: [FieldError], detail: String = "The request has invalid fields.") -> Problem {
        Problem(
            .unprocessableContent, type: "/problems/validation", title: "Validation failed",
            detail: detail, errors: errors)
    }

    /// What a problem made without a `detail` says: every problem has one.
    static func standardDetail(_ status: HTTPStatus) -> String {
        switch status.code {
        case 400: return "The request could not be understood."
        case 401: return "Authentication is required."
        case 403: return "You may not do this."
        case 404: return "There is nothing at this address."
        case 409: return "The request conflicts with the current state of the resource."
        case 412: return "The resource has changed since you read it."
        case 429: return "Too many requests. Retry later."
        case 500: return "The server failed to answer; quote the request id to the operator."
        case 503: return "The service is unavailable. Retry shortly."
        default: return status.reason + "."
        }
    }

    /// The `application/problem+json` body for this problem.
    public func json(instance: String, requestID: String) -> String {
        var out = "{\"type\":"
        out += JSONText.quoted(type)
        out += ",\"title\":" + JSONText.quoted(title)
        out += ",\"status\":\(status.code)"
        out += ",\"detail\":" + JSONText.quoted(detail ?? Self.standardDetail(status))
        out += ",\"instance\":" + JSONText.quoted(instance)
        if !errors.isEmpty {
            out += ",\"errors\":["
            out += errors.map(\.json).joined(separator: ",")
            out += "]"
        }
        if let errorCount { out += ",\"error_count\":\(errorCount)" }
        out += ",\"request_id\":" + JSONText.quoted(requestID) + "}"
        return out
    }
}

/// One failed field of a validation problem: a JSON Pointer (RFC 6901) into the request
/// body, and what is wrong with it.
public struct FieldError: Sendable, Equatable, Codable {
    /// e.g. `/password`.
    public var pointer: String
    /// e.g. "must be at least 8 characters".
    public var detail: String
    /// For a bad row of an uploaded file: its 1-based line (the header is line 1).
    public var line: Int?
    /// For a bad row: the column name as in the file's header.
    public var column: String?
    /// For a bad row: the offending text.
    public var value: String?
    /// For a bad row: why it was refused (the same text as `detail`).
    public var reason: String?

    /// A failure of the field at `pointer`.
    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    /// A bad value in an uploaded file: `pointer` is `/lines/{line}/{column}`.
    public init(line: Int, column: String, value: String, reason: String) {
        self.pointer = "/lines/\(line)/" + column.map { $0 == "~" ? "~0" : $0 == "/" ? "~1" : String($0) }.joined()
        self.detail = reason
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// The JSON object of this failure.
    var json: String {
        var out = "{\"pointer\":\(JSONText.quoted(pointer)),\"detail\":\(JSONText.quoted(detail))"
        if let line { out += ",\"line\":\(line)" }
        if let column { out += ",\"column\":" + JSONText.quoted(column) }
        if let value { out += ",\"value\":" + JSONText.quoted(value) }
        if let reason { out += ",\"reason\":" + JSONText.quoted(reason) }
        return out + "}"
    }
}

/// A domain error that knows which problem it is. `Handlers` conforms `Models`' errors,
/// so `Models` never sees HTTP.
public protocol ProblemConvertible: Error {
    /// The problem this error becomes.
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}
