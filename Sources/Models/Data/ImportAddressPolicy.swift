import Foundation
import Support

/// Which addresses an import by URL may connect to: public ones only, unless private
/// addresses are allowed (`TM_IMPORT_ALLOW_PRIVATE=true`, for tests and closed networks).
/// Loopback, private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254),
/// unique-local (fd00:ec2::254), multicast, documentation and reserved ranges are refused,
/// and so are IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) when
/// that address is refused, and so is every address of this server's own interfaces (on any
/// port). Every address a name resolves to is checked, in the job (a request checks the URL's
/// syntax only), and the transfer is pinned to the checked address (``ImportTarget/resolve``),
/// so the name cannot resolve elsewhere between the check and the connection.
public enum ImportAddressPolicy {
    /// Why `address` (4 or 16 bytes) must not be connected to, or nil when it is public.
    public static func refusal(_ address: [UInt8]) -> String? {
        switch address.count {
        case 4: return refusal(v4: address)
        case 16: return refusal(v6: address)
        default: return "not an IP address"
        }
    }

    private static func refusal(v4 a: [UInt8]) -> String? {
        func within(_ prefix: [UInt8], _ bits: Int) -> Bool {
            var left = bits
            for (k, byte) in prefix.enumerated() where left > 0 {
                let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                if a[k] & mask != byte & mask { return false }
                left -= 8
            }
            return true
        }
        if a == [169, 254, 169, 254] || a == [100, 100, 100, 200] || a == [192, 0, 0, 192] { return "a cloud metadata address" }
        if within([127], 8) { return "a loopback address" }
        if within([10], 8) || within([172, 16], 12) || within([192, 168], 16) { return "a private address" }
        if within([169, 254], 16) { return "a link-local address" }
        if within([100, 64], 10) { return "a shared (carrier-grade NAT) address" }
        if within([0], 8) { return "an unspecified address" }
        if within([224], 4) { return "a multicast address" }
        if within([240], 4) { return "a reserved address" }
        if within([192, 0, 0], 24) || within([192, 0, 2], 24) || within([198, 51, 100], 24) || within([203, 0, 113], 24)
            || within([198, 18], 15) || within([192, 88, 99], 24)
        {
            return "a reserved address"
        }
        return nil
    }

    private static func refusal(v6 a: [UInt8]) -> String? {
        let zero10 = a[0..<10].allSatisfy { $0 == 0 }
        if zero10 && a[10] == 0xFF && a[11] == 0xFF { return refusal(v4: Array(a[12..<16])).map { $0 + " (IPv4-mapped)" } }
        if a[0..<15].allSatisfy({ $0 == 0 }) && a[15] == 1 { return "a loopback address" }
        if a.allSatisfy({ $0 == 0 }) { return "an unspecified address" }
        if zero10 && a[10] == 0 && a[11] == 0 { return "an IPv4-compatible address" }
        if a[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return refusal(v4: Array(a[12..<16])).map { $0 + " (NAT64)" }
        }
        if a[0] == 0x20 && a[1] == 0x02 { return refusal(v4: Array(a[2..<6])).map { $0 + " (6to4)" } }
        if a[0..<4] == [0x20, 0x01, 0x00, 0x00] { return "a Teredo address" }
        if a[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return "a documentation address" }
        if a == [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54] { return "a cloud metadata address" }
        if a[0] & 0xFE == 0xFC { return "a unique-local (private) address" }
        if a[0] == 0xFE && a[1] & 0xC0 == 0x80 { return "a link-local address" }
        if a[0] == 0xFE && a[1] & 0xC0 == 0xC0 { return "a site-local address" }
        if a[0] == 0xFF { return "a multicast address" }
        if a[0..<8] == [0x01, 0x00, 0, 0, 0, 0, 0, 0] { return "a discard address" }
        return nil
    }

    /// Every address `host` resolves to (a literal is itself).
    public static func resolve(_ host: String) throws -> [[UInt8]] {
        do {
            return try IPAddress.resolve(host)
        } catch .unresolved {
            throw DatasetError.importRefused(reason: "the host name \(bare(host)) does not resolve")
        } catch .noAddress {
            throw DatasetError.importRefused(reason: "the host name \(bare(host)) has no address")
        }
    }

    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// Why `address` must not be connected to: ``refusal(_:)``'s ranges, or an address of
    /// one of this server's own interfaces (`local`, from ``IPAddress/localAddresses()``), on
    /// any port; nil when it is allowed.
    public static func refusal(_ address: [UInt8], local: Set<[UInt8]>) -> String? {
        if let reason = refusal(address) { return reason }
        let mapped = address.count == 16 && address[0..<10].allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
        if local.contains(address) || (mapped && local.contains(Array(address[12..<16]))) { return "an address of this server" }
        return nil
    }

    /// The URL's scheme, host and port, checked without any name resolution (what a request
    /// may check on its thread): an absolute http or https URL with a host, no credentials,
    /// a port in 1...65535, and, when the host is an address literal, an allowed address.
    public static func checkSyntax(url: String, allowPrivate: Bool) throws -> (host: String, port: Int) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw DatasetError.importRefused(reason: "the URL must be an absolute http or https URL with a host")
        }
        guard components.user == nil && components.password == nil else {
            throw DatasetError.importRefused(reason: "the URL must not carry credentials")
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { throw DatasetError.importRefused(reason: "the port must be 1 to 65535") }
        if !allowPrivate, let literal = IPAddress.parse(bare(host)), let reason = refusal(literal, local: IPAddress.localAddresses()) {
            throw DatasetError.importRefused(reason: "\(bare(host)) is \(reason)")
        }
        return (bare(host), port)
    }

    /// The URL's target, resolved and checked (in the job, never on a request's thread):
    /// every address must be allowed (``refusal(_:local:)``, `local` defaulting to this
    /// server's interfaces); the first is the one the transfer is pinned to.
    public static func target(url: String, allowPrivate: Bool, local: Set<[UInt8]>? = nil) throws -> ImportTarget {
        let (host, port) = try checkSyntax(url: url, allowPrivate: allowPrivate)
        let addresses = try resolve(host)
        if !allowPrivate {
            let own = local ?? IPAddress.localAddresses()
            for address in addresses {
                if let reason = refusal(address, local: own) {
                    throw DatasetError.importRefused(reason: "\(host) resolves to \(IPAddress.format(address)), \(reason)")
                }
            }
        }
        return ImportTarget(host: host, port: port, address: addresses[0])
    }
}

/// Where an import connects: the URL's host and port and the checked address.
public struct ImportTarget: Sendable, Equatable {
    /// The host as in the URL (brackets removed).
    public var host: String
    /// The port.
    public var port: Int
    /// The checked address.
    public var address: [UInt8]

    /// libcurl's `CURLOPT_RESOLVE` entry pinning the host to the address; nil when the host
    /// is an address itself (nothing to resolve).
    public var resolve: String? {
        guard IPAddress.parse(host) == nil else { return nil }
        let text = IPAddress.format(address)
        return "\(host):\(port):" + (address.count == 16 ? "[\(text)]" : text)
    }
}
