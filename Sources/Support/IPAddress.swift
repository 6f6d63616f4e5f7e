import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// IPv4 and IPv6 addresses as their bytes (4 or 16): parsing, formatting and name
/// resolution, over the C library's `inet_pton`, `inet_ntop` and `getaddrinfo`.
public enum IPAddress {
    /// Why a name did not resolve.
    public enum ResolutionError: Error, Equatable {
        /// The resolver found no such name (or failed).
        case unresolved
        /// The name resolved to no IPv4 or IPv6 address.
        case noAddress
    }

    /// The bytes of an IPv4 or IPv6 literal, or nil.
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The text of an address (IPv6 without brackets).
    public static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Every address of every local interface (loopback included), as `getifaddrs` lists
    /// them: what "this server" answers on, whatever the port.
    public static func localAddresses() -> Set<[UInt8]> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var out: Set<[UInt8]> = []
        var node: UnsafeMutablePointer<ifaddrs>? = first
        while let current = node {
            if let address = current.pointee.ifa_addr {
                if Int32(address.pointee.sa_family) == AF_INET {
                    var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    out.insert(withUnsafeBytes(of: &v4) { Array($0) })
                } else if Int32(address.pointee.sa_family) == AF_INET6 {
                    var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    out.insert(withUnsafeBytes(of: &v6) { Array($0) })
                }
            }
            node = current.pointee.ifa_next
        }
        return out
    }

    /// Every address `host` resolves to (a literal, with or without IPv6 brackets, is itself).
    public static func resolve(_ host: String) throws(ResolutionError) -> [[UInt8]] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = parse(bare) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else { throw .unresolved }
        defer { freeaddrinfo(list) }
        var out: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = current.pointee.ai_addr {
                if current.pointee.ai_family == AF_INET {
                    var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    out.append(withUnsafeBytes(of: &v4) { Array($0) })
                } else if current.pointee.ai_family == AF_INET6 {
                    var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    out.append(withUnsafeBytes(of: &v6) { Array($0) })
                }
            }
            node = current.pointee.ai_next
        }
        guard !out.isEmpty else { throw .noAddress }
        return out
    }
}
