/// Why a call to the TradeMaster service failed. Descriptions are fit for a job's owner:
/// they carry the service's own `info` but no internals of ours.
public enum TradeMasterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No answer after the retries (refused, reset, timed out); the last cause.
    case unreachable(route: String, attempts: Int, cause: String)
    /// The circuit breaker is open: the service failed repeatedly and is not called until `retryAfter` seconds pass.
    case circuitOpen(retryAfter: Double, lastError: String)
    /// The service answered `error_code: 1` (or upload_csv's HTTP 400) with this message.
    case service(route: String, info: String)
    /// An answer that does not follow the contract (not JSON, a missing field, HTTP 5xx).
    case malformed(route: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let route, let attempts, let cause):
            return "TradeMaster service unreachable (\(route), \(attempts) attempt\(attempts == 1 ? "" : "s")): \(cause)"
        case .circuitOpen(let retryAfter, let lastError):
            return "TradeMaster service is down (circuit open, next try in \(Int(retryAfter.rounded(.up))) s; last error: \(lastError))"
        case .service(let route, let info):
            return "TradeMaster \(route) failed: \(info)"
        case .malformed(let route, let detail):
            return "TradeMaster \(route) answered outside its contract: \(detail)"
        }
    }

    /// Whether another attempt later could succeed (the service was away, not wrong).
    public var isTransient: Bool {
        switch self {
        case .unreachable, .circuitOpen: return true
        case .service, .malformed: return false
        }
    }
}
