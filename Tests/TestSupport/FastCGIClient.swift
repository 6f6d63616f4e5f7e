import Foundation

/// A minimal FastCGI client on the pool's unix socket, bypassing nginx: for tests that must
/// control exactly which connection a request goes on and when it is sent.
public final class FastCGIClient {
    private let fd: Int32

    /// Connects to the unix socket at `path`; reads time out after `timeout` seconds.
    public init(socketPath path: String, timeout: Double = 5) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw TestHTTPError(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw TestHTTPError(description: "connect \(path): \(message)")
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `GET uri` (with FCGI_KEEP_CONN, as nginx's `fastcgi_keep_conn on`) without
    /// waiting for the answer.
    public func sendGet(_ uri: String, requestID: UInt16 = 1) throws {
        var records: [UInt8] = []
        // FCGI_BEGIN_REQUEST: role responder, flags FCGI_KEEP_CONN.
        records += FastCGIClient.record(type: 1, requestID: requestID, content: [0, 1, 1, 0, 0, 0, 0, 0])
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var params: [UInt8] = []
        for (name, value) in [
            ("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri),
            ("QUERY_STRING", path.count > 1 ? String(path[1]) : ""),
            ("SERVER_PROTOCOL", "HTTP/1.1"), ("REMOTE_ADDR", "127.0.0.1"),
        ] {
            params += [UInt8(name.utf8.count), UInt8(value.utf8.count)] + Array(name.utf8) + Array(value.utf8)
        }
        records += FastCGIClient.record(type: 4, requestID: requestID, content: params)
        records += FastCGIClient.record(type: 4, requestID: requestID, content: [])
        records += FastCGIClient.record(type: 5, requestID: requestID, content: [])
        var offset = 0
        while offset < records.count {
            let written = records.withUnsafeBytes { send(fd, $0.baseAddress! + offset, records.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestHTTPError(description: "write: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// Reads one response (up to FCGI_END_REQUEST): its HTTP status and body.
    public func readResponse() throws -> (status: Int, body: String) {
        var output: [UInt8] = []
        while true {
            let header = try read(8)
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try read(length + Int(header[6]))
            switch header[1] {
            case 6: output += content.prefix(length)  // FCGI_STDOUT
            case 3:  // FCGI_END_REQUEST
                let text = String(decoding: output, as: UTF8.self)
                guard let split = text.range(of: "\r\n\r\n") else { throw TestHTTPError(description: "no header end: \(text)") }
                let head = text[..<split.lowerBound]
                var status = 200
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("Status: ") }) {
                    status = Int(line.dropFirst(8).prefix(3)) ?? 0
                }
                return (status, String(text[split.upperBound...]))
            default: continue  // FCGI_STDERR and anything else
            }
        }
    }

    /// `sendGet` then `readResponse`.
    public func get(_ uri: String) throws -> (status: Int, body: String) {
        try sendGet(uri)
        return try readResponse()
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, count - offset) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw TestHTTPError(description: got == 0 ? "connection closed" : "read: \(String(cString: strerror(errno)))")
            }
            offset += got
        }
        return bytes
    }

    private static func record(type: UInt8, requestID: UInt16, content: [UInt8]) -> [UInt8] {
        [1, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff), 0, 0] + content
    }
}
