/// The request methods the router knows. Anything else is answered 405 or 501.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable, Comparable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH"
    case delete = "DELETE", options = "OPTIONS"

    /// Orders methods for a stable `Allow` header.
    public static func < (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
