/// The request methods the router knows. Anything else is answered 405 with `Allow`.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, Comparable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"

    /// Orders methods for a stable `Allow` header.
    public static func < (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The 405 problem for `method` where only `allowed` are, with their `Allow` header.
    static func notAllowed(_ method: String, allowed: [HTTPMethod], uri: String, requestID: String) -> Response {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        // nginx passes only methods made of A-Z, '_' and '-'; the cut keeps the detail short.
        return .problem(
            Problem(.methodNotAllowed, detail: "\(method.prefix(16)) is not allowed here.", headers: [("Allow", allow)]),
            instance: uri, requestID: requestID)
    }
}
