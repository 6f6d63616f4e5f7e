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

    /// Seconds until attempts are allowed again, or nil when they are allowed now.
    public func retryAfter(account: String, address: String) throws -> Int64? {
        let keys = keys(account: account, address: address)
        guard case .array(let counts) = try redis.command(["MGET"] + keys) else { return nil }
        var wait: Int64?
        for (key, count) in zip(keys, counts) where (count.integer ?? 0) >= limit {
            let ttl = try redis.command(["TTL", key]).integer ?? window
            wait = max(wait ?? 1, ttl > 0 ? ttl : 1)
        }
        return wait
    }

    /// Counts one failure against both counters.
    public func recordFailure(account: String, address: String) throws {
        for key in keys(account: account, address: address) {
            try redis.command(["INCR", key])
            try redis.command(["EXPIRE", key, String(window), "NX"])
        }
    }

    /// Clears the account's counter after a successful login (the address keeps its count).
    public func reset(account: String) throws {
        try redis.command(["DEL", "auth:fail:acct:\(account)"])
    }
}
