import Foundation
import Security

/// Signs subscribe URLs the way nginx checks them:
/// `sig = base64url(MD5("{expires}:{channel}:{tid}:{key}"))`, `expires` in Unix seconds and
/// `tid` the ticket's random id (16 bytes, base64url), which makes every ticket distinct, so
/// that each can be used once (``RealtimeTicketLedger``). MD5 is what `secure_link_md5`
/// offers; the key comes last, so the digest cannot be extended to another channel, expiry
/// or id without it.
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

    /// A new ticket for `channel`, valid from `now` for ``lifetime``, with a random id.
    public func ticket(for channel: RealtimeChannel, now: Date = Date()) throws -> RealtimeTicket {
        let expires = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(lifetime.rounded(.up))
        let id = Base64URL.encode(try SecureRandom.bytes(count: 16))
        let signature = signature(channel: channel, expires: expires, ticketID: id)
        let path = "\(Self.basePath)\(channel)?expires=\(expires)&tid=\(id)&sig=\(signature)"
        return RealtimeTicket(channel: channel, id: id, path: path, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// The signature of ticket `ticketID` for `channel` until `expires` (Unix seconds).
    public func signature(channel: RealtimeChannel, expires: Int64, ticketID: String) -> String {
        Base64URL.encode(MD5.hash(Array("\(expires):\(channel):\(ticketID):\(key)".utf8)))
    }

    /// Whether `signature` is the one of ticket `ticketID` for `channel` and `expires`,
    /// compared in constant time, and the ticket has not expired. nginx checks it first
    /// (`secure_link`); the pool checks again before it spends the ticket.
    public func verify(channel: RealtimeChannel, expires: Int64, ticketID: String, signature: String, now: Date = Date()) -> Bool {
        let expected = self.signature(channel: channel, expires: expires, ticketID: ticketID)
        let valid = constantTimeEquals(Array(expected.utf8), Array(signature.utf8))
        return valid && Double(expires) > now.timeIntervalSince1970
    }
}
