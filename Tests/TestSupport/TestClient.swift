import Foundation

/// What a test sends its requests through: nginx (``TestHTTPClient``), or the application
/// called in-process (HandlersTests' `InProcessApp`), so that one set of fixtures serves both.
public protocol TestClient: AnyObject, Sendable {
    /// Sends a request with raw body bytes.
    func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]) throws -> TestResponse
}

extension TestClient {
    /// Sends a request; a JSON `body` object is encoded and typed as `application/json`.
    @discardableResult
    public func send(_ method: String, _ path: String, headers: [String: String] = [:], json: Any? = nil) throws -> TestResponse {
        var headers = headers
        var body: [UInt8] = []
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json))
            if headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        }
        return try send(method, path, headers: headers, body: body)
    }

    /// Polls `GET path` (a job, a run, a training) until `done` holds for its JSON; the last
    /// answer. Throws on an answer other than 200, and when `done` still fails after `seconds`.
    @discardableResult
    public func poll(
        _ path: String, _ headers: [String: String], seconds: Double = 30, every interval: Double = 0.05,
        until done: ([String: Any]) -> Bool
    ) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let response = try send("GET", path, headers: headers)
            guard response.status == 200 else { throw TestHTTPError(description: "GET \(path): \(response.status) \(response.text)") }
            if done(response.json) { return response.json }
            if Date() > deadline {
                throw TestHTTPError(description: "\(path) still \(response.json["status"] ?? "?") after \(seconds) s: \(response.text.prefix(2000))")
            }
            usleep(useconds_t(interval * 1e6))
        }
    }
}

/// Fails a fixture with `message` unless `condition` holds (TestSupport does not import
/// Testing: a thrown error fails the test just as `#require` does).
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw TestHTTPError(description: message()) }
}

/// `value`, or a failure saying `message` when it is nil.
func unwrap<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
    guard let value else { throw TestHTTPError(description: message()) }
    return value
}
