import Foundation

/// The TradeMaster research service (a Flask app) as its contract describes it. Its errors
/// arrive as HTTP 200 with `error_code: 1`.
public struct TradeMasterClient: Sendable {
    /// The base URL (`TRADEMASTER_API_URL`).
    public let baseURL: String
    let http: HTTPClient

    /// A client for `baseURL` with a per-call deadline.
    public init(baseURL: String, timeout: Double = 5) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = HTTPClient(timeout: timeout)
    }

    /// `GET /api/TradeMaster/healthcheck`: true when it answers 200 with `error_code` 0.
    public func healthcheck() throws -> Bool {
        let response = try http.send(method: "GET", url: baseURL + "/api/TradeMaster/healthcheck")
        guard response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return false }
        return (object["error_code"] as? Int ?? 1) == 0
    }
}
