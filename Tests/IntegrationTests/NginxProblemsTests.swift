import Foundation
import TestSupport
import Testing

/// What nginx answers itself (nginx/snippets/tm-problems.conf), over raw sockets to the test
/// stack's nginx: every such answer is problem+json with the right status and the request
/// id, never nginx's HTML page nor the HTML 500 "empty URI in redirect to named location".
@Suite struct NginxProblemsTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    static func request(_ method: String, _ target: String, version: String = "HTTP/1.1", headers: [String] = ["Host: 127.0.0.1"]) -> [UInt8] {
        Array("\(method) \(target) \(version)\r\n\(headers.map { $0 + "\r\n" }.joined())\r\n".utf8)
    }

    /// Raw requests nginx rejects, with the status it must answer.
    static let cases: [(name: String, bytes: [UInt8], status: Int)] = [
        ("dot segments above the root", request("GET", "/../../etc/passwd"), 400),
        ("an encoded NUL", request("GET", "/%00"), 400),
        ("a bad percent escape", request("GET", "/%zz"), 400),
        ("a cut percent escape", request("GET", "/a%2"), 400),
        ("an asterisk target", request("GET", "*"), 400),
        ("a lower-case method", request("get", "/health"), 400),
        ("a method with odd bytes", request("G@T", "/health"), 400),
        ("an HTTP/2 preface", Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), 400),
        ("TLS bytes on the plain port", [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + [UInt8](repeating: 0, count: 64), 400),
        ("a NUL in a header", request("GET", "/health", headers: ["Host: a\u{0}b"]), 400),
        ("no Host in HTTP/1.1", request("GET", "/health", headers: []), 400),
        ("two Host headers", request("GET", "/health", headers: ["Host: a", "Host: b"]), 400),
        ("a bad Content-Length", request("POST", "/health", headers: ["Host: a", "Content-Length: abc"]), 400),
        ("a request line over the buffer", request("GET", "/" + String(repeating: "a", count: 10_000)), 414),
        ("a header over the buffer", request("GET", "/health", headers: ["Host: a", "X-Big: " + String(repeating: "b", count: 10_000)]), 400),
        ("a body over client_max_body_size", request("POST", "/health", headers: ["Host: a", "Content-Length: 2000000"]), 413),
        ("TRACE", request("TRACE", "/health"), 405),
        ("CONNECT", request("CONNECT", "/"), 405),
        ("CONNECT to an authority", request("CONNECT", "127.0.0.1:443"), 400),
        ("an odd Transfer-Encoding", request("POST", "/health", headers: ["Host: a", "Transfer-Encoding: gzip"]), 501),
        ("HTTP/2.0 in the request line", request("GET", "/health", version: "HTTP/2.0"), 505),
        ("HTTP/3.1 in the request line", request("GET", "/health", version: "HTTP/3.1"), 505),
    ]

    @Test(arguments: cases.indices)
    func nginxRejectsWithAProblem(_ index: Int) throws {
        let (name, bytes, status) = Self.cases[index]
        let response = try stack.client().sendRaw(bytes)
        #expect(response.status == status, "\(name): \(response.status) \(response.text.prefix(200))")
        #expect(response.header("content-type") == "application/problem+json", "\(name): \(response.headers)")
        let problem = response.json
        #expect(problem["status"] as? Int == status, "\(name): \(response.text.prefix(300))")
        #expect(problem["title"] is String && problem["type"] as? String == "about:blank", "\(name)")
        let requestID = try #require(response.header("x-request-id"), "\(name)")
        #expect(problem["request_id"] as? String == requestID, "\(name)")
        // Every member a problem promises, nginx's too: `instance` is the path when JSON holds
        // it as it is, else a URN of the request.
        let instance = try #require(problem["instance"] as? String, "\(name)")
        #expect(instance.hasPrefix("/") || instance == "urn:tm:request:\(requestID)", "\(name): \(instance)")
        #expect((problem["detail"] as? String)?.isEmpty == false, "\(name)")
        #expect(response.header("x-content-type-options") == "nosniff", "\(name): the shared security headers")
        if status == 405 {
            #expect(response.header("allow") == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", "\(name)")
        }
    }

    @Test func headOfARejectedRequestHasNoBody() throws {
        let response = try stack.client().sendRaw(Self.request("HEAD", "/../x"), method: "HEAD")
        #expect(response.status == 400)
        #expect(response.header("content-type") == "application/problem+json")
    }

    /// The app's side of the same rule: a method it does not know is the client's error.
    @Test func unknownMethodsAre405WithAllowFromTheApp() throws {
        let client = stack.client()
        let health = try client.send("PROPFIND", "/health")
        #expect(health.status == 405)
        #expect(health.header("content-type") == "application/problem+json")
        #expect(health.header("allow") == "GET, HEAD, OPTIONS")
        #expect(health.json["status"] as? Int == 405)
        #expect(health.json["request_id"] as? String == health.header("x-request-id"))
        let nowhere = try client.send("FOO", "/api/v1/no-such-route")
        #expect(nowhere.status == 405)
        #expect(nowhere.header("allow") == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
    }

    /// Where no answer is possible nginx closes the connection: blank lines and nothing
    /// else (nginx skips empty lines before a request line, then sees the end).
    @Test func nothingButBlankLinesGetsNoAnswer() throws {
        #expect(throws: TestHTTPError.self) { try stack.client().sendRaw(Array("\r\n\r\n\r\n".utf8)) }
    }
}
