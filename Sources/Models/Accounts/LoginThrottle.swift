import RedisClient
import Security

/// Failed-login counters in Redis, per account and per client address: once either has
/// `limit` failures within `window` seconds, further attempts are refused until the window
/// ends, whatever the password.
///
/// Keys: `auth:fail:acct:{account}` (the user id, or the SHA-256 of the identifier typed when
/// no such user exists) and `auth:fail:ip:{address}`; each expires `window` seconds after its
/// first failure.
public struct LoginThrottle: Sendable {
    let redis: Redis
    /// Failures allowed per window.
    public let limit: Int64
    /// The window in seconds.
    public let window: Int64

    /// A throttle over `redis` (5 failures per 15 minutes by default).
    public init(redis: Redis, limit: Int64 = 5, window: Int64 = 900) {
        self.redis = redis
        self.limit = limit
        self.window = window
    }

    /// The counter name of a known user.
    public static func account(userID: Int64) -> String { "u\(userID)" }
    /// The counter name of an identifier that names no user (hashed: bounded, nothing stored).
    public static func account(identifier: String) -> String { "i" + Hex.encode(SHA256.hash(identifier.lowercased())) }

    private func keys(account: String, address: String) -> [String] {
        ["auth:fail:acct:\(account)", "auth:fail:ip:\(address)"]
    }

    // KEYS: the account and address counters; ARGV: limit, window. When either counter is at
    // the limit, returns the seconds until it expires; otherwise counts one attempt against
    // both and returns 0. One script, so parallel attempts cannot all pass the check before
    // any of them is counted.
    private static let reserveScript = """
        local wait = 0
        for i = 1, 2 do
          if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[1]) then
            local ttl = redis.call('TTL', KEYS[i])
            if ttl < 1 then redis.call('EXPIRE', KEYS[i], ARGV[2], 'NX'); ttl = 1 end
            if ttl > wait then wait = ttl end
          end
        end
        if wait > 0 then return wait end
        for i = 1, 2 do
          redis.call('INCR', KEYS[i])
          redis.call('EXPIRE', KEYS[i], ARGV[2], 'NX')
        end
        return 0
        """

    // KEYS: the account and address counters. Clears the account's and gives the address back
    // the attempt reserved for a login that succeeded.
    private static let succeedScript = """
        redis.call('DEL', KEYS[1])
        if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
        return 0
        """

    /// Reserves one attempt before the password is verified: nil when the caller may verify
    /// it (the attempt already counts as a failure), else the seconds to wait. At most
    /// `limit` verifications run per window and counter, however many arrive at once.
    public func reserve(account: String, address: String) throws -> Int64? {
        let keys = keys(account: account, address: address)
        let wait = try redis.command(["EVAL", Self.reserveScript, "2"] + keys + [String(limit), String(window)]).integer ?? 0
        return wait > 0 ? wait : nil
    }

    /// After a verification that succeeded: clears the account's counter and returns the
    /// reserved attempt to the address.
    public func succeeded(account: String, address: String) throws {
        try redis.command(["EVAL", Self.succeedScript, "2"] + keys(account: account, address: address))
    }
}
