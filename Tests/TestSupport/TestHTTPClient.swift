import Foundation

/// A response seen by a test.
public struct TestResponse: Sendable {
    /// Status code.
    public let status: Int
    /// Headers with lower-cased names.
    public let headers: [String: String]
    /// Body bytes.
    public let body: [UInt8]

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// A header, by lower-case name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The members every problem has (issue 26), whoever answered: the app or nginx.
    public static let problemMembers = ["type", "title", "status", "detail", "instance", "request_id"]

    /// This response, after checking that a problem answer has every member of
    /// ``problemMembers`` with the answer's own status: every problem any test receives is
    /// checked, so a status nginx or the app answers without them fails the test that met it.
    public func checkedProblem() throws -> TestResponse {
        guard header("content-type") == "application/problem+json", !body.isEmpty else { return self }
        let problem = json
        let missing = Self.problemMembers.filter { name in
            guard let value = problem[name] else { return true }
            return (value as? String)?.isEmpty ?? false
        }
        guard missing.isEmpty, problem["status"] as? Int == status else {
            throw TestHTTPError(description: "a \(status) problem without \(missing) (or another status): \(text.prefix(400))")
        }
        return self
    }

    /// A response with `headers` named in lower case.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Errors of the test client.
public struct TestHTTPError: Error, CustomStringConvertible {
    public let description: String
    /// An error saying `description`.
    public init(description: String) { self.description = description }
}

/// A blocking HTTP/1.1 client over one kept-alive TCP connection to 127.0.0.1, reconnecting
/// when the server closes it. Not thread-safe: one per thread.
public final class TestHTTPClient: TestClient, @unchecked Sendable {
    private let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// Seconds a request may take.
    public var timeout: Double = 30

    /// A client for `127.0.0.1:port`.
    public init(port: Int) { self.port = port }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends a request with raw body bytes.
    public func send(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]) throws -> TestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        // A kept connection the server closed in the meantime fails on first use: retry once
        // on a fresh connection, as a browser would, but only if nothing was answered.
        for attempt in 0..<2 {
            if fd < 0 { try connectSocket() }
            do {
                try writeAll(request)
                return try readResponse(method: method).checkedProblem()
            } catch let error as StaleConnection {
                disconnect()
                if attempt == 1 { throw TestHTTPError(description: "connection closed: \(error)") }
            }
        }
        throw TestHTTPError(description: "unreachable")
    }

    /// Sends `bytes` as they are (a malformed request, say) on a fresh connection, half-closes
    /// it and reads one response; `method` says whether a body follows (not for HEAD). Throws
    /// when the server closes without answering.
    public func sendRaw(_ bytes: [UInt8], method: String = "GET") throws -> TestResponse {
        disconnect()
        defer { disconnect() }
        try connectSocket()
        try writeAll(bytes)
        shutdown(fd, Int32(SHUT_WR))
        do {
            return try readResponse(method: method).checkedProblem()
        } catch is StaleConnection {
            throw TestHTTPError(description: "closed without an answer")
        }
    }

    /// What the server sent on the idle kept connection without being asked (nothing, unless
    /// something writes into a descriptor that is not its own); empty when the connection is
    /// closed or none is open.
    public func unsolicitedBytes() -> [UInt8] {
        guard fd >= 0 else { return buffer }
        var unsolicited = buffer
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                unsolicited.append(contentsOf: chunk[..<count])
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return unsolicited
        }
    }

    /// Closes the connection.
    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.removeAll()
    }

    struct StaleConnection: Error {}

    private func connectSocket() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let text = String(cString: strerror(errno))
            disconnect()
            throw TestHTTPError(description: "connect to 127.0.0.1:\(port): \(text)")
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 {
                if errno == EINTR { continue }
                if offset == 0 { throw StaleConnection() }
                throw TestHTTPError(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func fill(allowStale: Bool) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
            return
        }
        if count < 0 && errno == EINTR { return }
        if allowStale && (count == 0 || errno == ECONNRESET) { throw StaleConnection() }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw TestHTTPError(description: "timed out") }
        throw TestHTTPError(description: count == 0 ? "connection closed mid-response" : String(cString: strerror(errno)))
    }

    private func readResponse(method: String) throws -> TestResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Range<Int>?
        while true {
            if let range = buffer.firstRange(of: separator) {
                headerEnd = range
                break
            }
            try fill(allowStale: buffer.isEmpty)
        }
        let head = String(decoding: buffer[..<headerEnd!.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestHTTPError(description: "bad status line in \(String(head.prefix(200)).debugDescription) (\(method))")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        buffer.removeSubrange(..<headerEnd!.upperBound)
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 {
            body = []
        } else if let length = headers["content-length"].flatMap(Int.init) {
            while buffer.count < length { try fill(allowStale: false) }
            body = Array(buffer[..<length])
            buffer.removeSubrange(..<length)
        } else if headers["transfer-encoding"]?.contains("chunked") == true {
            while true {
                while buffer.firstRange(of: [13, 10]) == nil { try fill(allowStale: false) }
                let lineEnd = buffer.firstRange(of: [13, 10])!
                let size = Int(String(decoding: buffer[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
                buffer.removeSubrange(..<lineEnd.upperBound)
                while buffer.count < size + 2 { try fill(allowStale: false) }
                body.append(contentsOf: buffer[..<size])
                buffer.removeSubrange(..<(size + 2))
                if size == 0 { break }
            }
        } else {
            while true {
                do { try fill(allowStale: false) } catch { break }
            }
            body = buffer
            buffer.removeAll()
        }
        if headers["connection"]?.lowercased() == "close" { disconnect() }
        return TestResponse(status: status, headers: headers, body: body)
    }
}
