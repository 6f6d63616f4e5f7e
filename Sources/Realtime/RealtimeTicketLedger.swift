import Foundation
import RedisClient

/// Which tickets have been used: a ticket opens one subscription. nginx asks the pool
/// (`auth_request` to `/_tm/realtime/claim`) when a client connects, and the first claim of a
/// ticket id stores `tm:realtime:ticket:{tid}` with `SET NX` for the ticket's remaining
/// lifetime; a second claim finds it and is refused. Once the ticket has expired nginx
/// refuses it itself, so the key need not outlive it.
public struct RealtimeTicketLedger: Sendable {
    let redis: Redis

    /// A ledger in `redis`.
    public init(redis: Redis) {
        self.redis = redis
    }

    static func key(_ ticketID: String) -> String { "tm:realtime:ticket:\(ticketID)" }

    /// Spends ticket `ticketID`, valid until `expires` (Unix seconds): true the first time,
    /// false when it was already used. Throws when Redis cannot say (the caller refuses).
    public func claim(_ ticketID: String, expires: Int64, now: Date = Date()) throws -> Bool {
        let remaining = max(1, expires - Int64(now.timeIntervalSince1970.rounded(.down)))
        let reply = try redis.command(["SET", Self.key(ticketID), "1", "NX", "EX", String(remaining)])
        if case .null = reply { return false }
        return true
    }
}
