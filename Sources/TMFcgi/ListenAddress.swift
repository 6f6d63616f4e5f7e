import CFastCGI

#if canImport(Glibc)
import Glibc
#endif

/// Where the pool listens for nginx: a unix socket path, `host:port`, or the socket systemd
/// passed (`LISTEN_FDS`).
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: UInt16)
    case inherited(fd: Int32)

    /// Parses `TM_LISTEN`: a value containing `/` is a unix socket path; otherwise `host:port`.
    public init?(parsing value: String) {
        if value.contains("/") {
            self = .unix(path: value)
            return
        }
        guard let colon = value.lastIndex(of: ":"), let port = UInt16(value[value.index(after: colon)...]), port > 0 else {
            return nil
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self = .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    /// The socket systemd passed to this process, if any (`LISTEN_PID` must be ours).
    public static func fromSystemd(environment: [String: String]) -> ListenAddress? {
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap(Int.init), count >= 1
        else { return nil }
        return .inherited(fd: 3)
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return "\(host):\(port)"
        case .inherited(let fd): return "systemd fd \(fd)"
        }
    }
}

/// Errors from setting up the listening socket.
public struct ListenError: Error, CustomStringConvertible {
    /// What failed, with the OS error.
    public let description: String
}

/// Opens listening sockets.
enum Listener {
    /// A non-blocking, close-on-exec listening socket for `address`.
    static func open(_ address: ListenAddress, socketMode: mode_t, backlog: Int32 = 1024) throws -> Int32 {
        let fd: Int32
        switch address {
        case .inherited(let inherited):
            fd = inherited
        case .unix(let path):
            fd = try openUnix(path: path, mode: socketMode, backlog: backlog)
        case .tcp(let host, let port):
            fd = try openTCP(host: host, port: port, backlog: backlog)
        }
        _ = tmfcgi_fcntl_setfl(fd, tmfcgi_fcntl_getfl(fd) | O_NONBLOCK)
        _ = tmfcgi_fcntl_setfd(fd, tmfcgi_fcntl_getfd(fd) | FD_CLOEXEC)
        return fd
    }

    private static func openUnix(path: String, mode: mode_t, backlog: Int32) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw ListenError(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(description: "socket(): \(errnoText())") }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        // A socket file left by a crashed server is removed; a live one is an error.
        var status = stat()
        if stat(path, &status) == 0 {
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let live = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) == 0 }
            }
            close(probe)
            if live {
                close(fd)
                throw ListenError(description: "\(path) is in use by another server")
            }
            unlink(path)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let text = errnoText()
            close(fd)
            throw ListenError(description: "bind(\(path)): \(text)")
        }
        chmod(path, mode)
        guard listen(fd, backlog) == 0 else { throw ListenError(description: "listen(): \(errnoText())") }
        return fd
    }

    private static func openTCP(host: String, port: UInt16, backlog: Int32) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw ListenError(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(description: "socket(): \(errnoText())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let text = errnoText()
            close(fd)
            throw ListenError(description: "bind(\(host):\(port)): \(text)")
        }
        guard listen(fd, backlog) == 0 else { throw ListenError(description: "listen(): \(errnoText())") }
        return fd
    }
}

/// `strerror(errno)`.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
