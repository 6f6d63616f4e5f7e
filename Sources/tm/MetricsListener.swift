import Foundation
import Logging
import Metrics

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 endpoint for Prometheus in `tm worker` and `tm relay` (the pool is
/// scraped through nginx instead): `GET /metrics` answers the text format of `render()`,
/// anything else a 404; one connection at a time on one thread, closed after the answer,
/// with a 2 s deadline to send the request. Listens on loopback unless told otherwise.
final class MetricsListener: @unchecked Sendable {
    private let descriptor: Int32
    private let render: @Sendable () -> String
    /// The bound port (useful when 0 was asked for).
    let port: Int

    /// Binds `host:port`; nil (with a warning) when it cannot, so the process runs on
    /// without metrics rather than not at all.
    init?(host: String, port: Int, logger: Logger, render: @escaping @Sendable () -> String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            logger.warning("metrics listener: not an IPv4 address", metadata: ["address": "\(host)"])
            return nil
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            logger.warning(
                "metrics listener could not bind; running without metrics",
                metadata: ["address": "\(host):\(port)", "error": "\(reason)"])
            return nil
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.render = render
        logger.info("metrics listening", metadata: ["address": "\(host):\(self.port)", "path": "/metrics"])
    }

    /// Serves on a thread of its own until the process ends.
    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "metrics-listener"
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                usleep(100_000)
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while head.count < 8192 {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, 2048, 0) }
            if n <= 0 { return }
            head += buffer[0..<n]
            if head.count >= 4, String(decoding: head, as: UTF8.self).contains("\r\n\r\n") || String(decoding: head, as: UTF8.self).contains("\n\n") {
                break
            }
        }
        let line = String(decoding: head.prefix { $0 != 10 && $0 != 13 }, as: UTF8.self).split(separator: " ")
        let status: String
        let type: String
        let body: String
        if line.count >= 2, line[0] == "GET" || line[0] == "HEAD", line[1] == "/metrics" || line[1].hasPrefix("/metrics?") {
            (status, type, body) = ("200 OK", PrometheusText.contentType, render())
        } else {
            (status, type, body) = ("404 Not Found", "text/plain; charset=utf-8", "Only GET /metrics is served here.\n")
        }
        let bytes = Array(body.utf8)
        let isHead = line.first == "HEAD"
        let response =
            Array(
                "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(bytes.count)\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
                    .utf8)
            + (isHead ? [] : bytes)
        var sent = 0
        while sent < response.count {
            let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}
