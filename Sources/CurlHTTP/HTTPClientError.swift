/// Failures talking to an HTTP service. Descriptions are for the log, not for clients.
public enum HTTPClientError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Not an absolute `http` or `https` URL with a host.
    case invalidURL(String)
    /// A method or header that cannot be sent as is (control characters, say).
    case invalidRequest(String)
    /// No connection (refused, no such host, TLS handshake failed, reset before an answer).
    case unreachable(String)
    /// The connection or the whole exchange took longer than its deadline.
    case timeout
    /// The body is larger than the client's limit (announced or while streaming).
    case responseTooLarge(Int)
    /// Not a valid HTTP response: a bad status line or chunk, a truncated body, an empty reply.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url)"
        case .invalidRequest(let reason): return "invalid request: \(reason)"
        case .unreachable(let reason): return "unreachable: \(reason)"
        case .timeout: return "timed out"
        case .responseTooLarge(let limit): return "response larger than \(limit) bytes"
        case .malformedResponse(let reason): return "malformed response: \(reason)"
        }
    }
}
