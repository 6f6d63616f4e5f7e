import Foundation

/// An HTTP/1.1 response from ``HTTPClient``.
public struct HTTPClientResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Header fields, names lower-cased.
    public let headers: [String: String]
    /// The body.
    public let body: [UInt8]
}

/// Failures talking to an HTTP service.
public enum HTTPClientError: Error, CustomStringConvertible, Sendable {
    case invalidURL(String)
    case unreachable(String)
    case timeout
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url)"
        case .unreachable(let reason): return "unreachable: \(reason)"
        case .timeout: return "timed out"
        case .malformedResponse(let reason): return "malformed response: \(reason)"
        }
    }
}

/// A small blocking HTTP/1.1 client (plain `http://`, one request per connection) for the
/// TradeMaster service, which runs beside us. Every call has a deadline.
public struct HTTPClient: Sendable {
    /// The deadline for a whole exchange, in seconds.
    public var timeout: Double

    /// A client with a per-request deadline.
    public init(timeout: Double = 5) {
        self.timeout = timeout
    }

    /// Sends one request and reads the whole response.
    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> HTTPClientResponse {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            throw HTTPClientError.invalidURL(url)
        }
        let port = components.port ?? 80
        let deadline = Date().addingTimeInterval(timeout)
        let fd = try connect(host: host, port: port, deadline: deadline)
        defer { close(fd) }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nUser-Agent: trademaster-backend\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(fd, Array(head.utf8) + body, deadline: deadline)
        let raw = try readAll(fd, deadline: deadline)
        return try Self.parse(raw)
    }

    static func parse(_ raw: [UInt8]) throws -> HTTPClientResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.firstRange(of: separator) else { throw HTTPClientError.malformedResponse("no header end") }
        let headText = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HTTPClientError.malformedResponse("bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
            body = Array(body.prefix(length))
        }
        return HTTPClientResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < data.count {
            guard let lineEnd = data[index...].firstRange(of: [13, 10]) else { throw HTTPClientError.malformedResponse("bad chunk") }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw HTTPClientError.malformedResponse("bad chunk size") }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= data.count else { throw HTTPClientError.malformedResponse("truncated chunk") }
            out.append(contentsOf: data[start..<start + size])
            index = start + size + 2
        }
        return out
    }

    private func connect(host: String, port: Int, deadline: Date) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw HTTPClientError.unreachable("cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no address"
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let current = info {
            info = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                do {
                    try wait(fd, events: Int16(POLLOUT), deadline: deadline)
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return fd }
                    lastError = String(cString: strerror(error))
                } catch {
                    close(fd)
                    throw error
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(fd)
        }
        throw HTTPClientError.unreachable(lastError)
    }

    private func wait(_ fd: Int32, events: Int16, deadline: Date) throws {
        while true {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            if remaining == 0 { throw HTTPClientError.timeout }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, remaining)
            if ready > 0 { return }
            if ready == 0 { throw HTTPClientError.timeout }
            if errno != EINTR { throw HTTPClientError.unreachable(String(cString: strerror(errno))) }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: Date) throws {
        var offset = 0
        while offset < bytes.count {
            try wait(fd, events: Int16(POLLOUT), deadline: deadline)
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw HTTPClientError.unreachable(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    private func readAll(_ fd: Int32, deadline: Date, limit: Int = 64 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            try wait(fd, events: Int16(POLLIN), deadline: deadline)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return out }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw HTTPClientError.unreachable(String(cString: strerror(errno)))
            }
            out.append(contentsOf: buffer[..<count])
            if out.count > limit { throw HTTPClientError.malformedResponse("response larger than \(limit) bytes") }
        }
    }
}
