import Foundation
import Security

/// Signs subscribe URLs the way nginx checks them:
/// `sig = base64url(MD5("{expires}:{channel}:{key}"))`, `expires` in Unix seconds.
/// MD5 is what `secure_link_md5` offers; the key comes last, so the digest cannot be
/// extended to another channel or expiry without it.
public struct RealtimeSigner: Sendable {
    /// The path subscribers connect under.
    public static let basePath = "/api/v1/realtime/channels/"

    private let key: String
    /// How long a ticket may be used to connect.
    public let lifetime: TimeInterval

    /// A signer with the key shared with nginx (TM_REALTIME_SECRET) and a ticket lifetime
    /// (TM_REALTIME_TICKET_TTL).
    public init(key: String, lifetime: TimeInterval) {
        self.key = key
        self.lifetime = lifetime
    }

    /// A ticket for `channel`, valid from `now` for ``lifetime``.
    public func ticket(for channel: RealtimeChannel, now: Date = Date()) -> RealtimeTicket {
        let expires = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(lifetime.rounded(.up))
        let path = "\(Self.basePath)\(channel)?expires=\(expires)&sig=\(signature(channel: channel, expires: expires))"
        return RealtimeTicket(channel: channel, path: path, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// The signature of `channel` until `expires` (Unix seconds).
    public func signature(channel: RealtimeChannel, expires: Int64) -> String {
        Base64URL.encode(MD5.hash(Array("\(expires):\(channel):\(key)".utf8)))
    }

    /// Whether `signature` is the one for `channel` and `expires`, compared in constant time
    /// (nginx checks subscriptions itself; this is for tools and tests that verify a ticket).
    public func verify(channel: RealtimeChannel, expires: Int64, signature: String, now: Date = Date()) -> Bool {
        let valid = constantTimeEquals(Array(self.signature(channel: channel, expires: expires).utf8), Array(signature.utf8))
        return valid && Double(expires) > now.timeIntervalSince1970
    }
}
