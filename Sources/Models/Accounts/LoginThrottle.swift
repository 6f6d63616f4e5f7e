import Foundation
import RedisClient
import Security

/// Failed-login counters in Redis, per account and per client address: once either has
/// `limit` failures within `window` seconds, further attempts are refused until the window
/// ends, whatever the password.
///
/// Verifications in flight are held apart from failures, so the limit holds under parallel
/// requests without counting a correct password as a failure: an attempt may start only
/// while the counter's failures plus the verifications in flight are under `limit` (so no
/// burst of guesses can take the failures past it), and an attempt that finds the room taken
/// only by verifications in flight waits for them (``Verdict/busy``) instead of being told it
/// failed too often.
///
/// Keys: `auth:fail:acct:{account}` and `auth:fail:ip:{address}` count failures (each expires
/// `window` seconds after its first failure); `auth:busy:acct:{account}` and
/// `auth:busy:ip:{address}` are sorted sets of the attempts in flight, scored by when their
/// hold lapses (`hold` seconds: a process that dies mid-verification frees its place then).
/// The account is the user id, or the SHA-256 of the identifier typed when no such user exists.
public struct LoginThrottle: Sendable {
    let redis: Redis
    /// Failures allowed per window.
    public let limit: Int64
    /// The window in seconds.
    public let window: Int64
    /// How long an attempt in flight holds its place at most, in seconds.
    public let hold: Int64

    /// A throttle over `redis` (5 failures per 15 minutes by default).
    public init(redis: Redis, limit: Int64 = 5, window: Int64 = 900, hold: Int64 = 30) {
        self.redis = redis
        self.limit = limit
        self.window = window
        self.hold = hold
    }

    /// What ``reserve(account:address:)`` decided.
    public enum Verdict: Equatable, Sendable {
        /// The caller may verify the password; it must then call ``settle(_:succeeded:)``.
        case allowed(Attempt)
        /// A counter has `limit` failures: refused for this many seconds.
        case throttled(retryAfter: Int64)
        /// Failures plus verifications in flight fill a counter: try again shortly.
        case busy
    }

    /// One attempt in flight: where it is held, so it can be settled.
    public struct Attempt: Equatable, Sendable {
        let keys: [String]
        let token: String
    }

    /// The counter name of a known user.
    public static func account(userID: Int64) -> String { "u\(userID)" }
    /// The counter name of an identifier that names no user (hashed: bounded, nothing stored).
    public static func account(identifier: String) -> String { "i" + Hex.encode(SHA256.hash(identifier.lowercased())) }

    private func keys(account: String, address: String) -> [String] {
        ["auth:fail:acct:\(account)", "auth:fail:ip:\(address)", "auth:busy:acct:\(account)", "auth:busy:ip:\(address)"]
    }

    // KEYS: the account's and address's failure counters, then their sets in flight; ARGV:
    // limit, window, hold, token. Returns {1, seconds} when a counter has `limit` failures,
    // {2} when failures plus attempts in flight fill one, else adds the token to both sets
    // and returns {0}. One script, so parallel attempts cannot all pass the check before any
    // of them is held.
    private static let reserveScript = """
        local limit = tonumber(ARGV[1])
        local now = tonumber(redis.call('TIME')[1])
        local wait = 0
        local failures = {}
        for i = 1, 2 do
          failures[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
          if failures[i] >= limit then
            local ttl = redis.call('TTL', KEYS[i])
            if ttl < 1 then redis.call('EXPIRE', KEYS[i], ARGV[2], 'NX'); ttl = 1 end
            if ttl > wait then wait = ttl end
          end
        end
        if wait > 0 then return {1, wait} end
        for i = 1, 2 do
          redis.call('ZREMRANGEBYSCORE', KEYS[i + 2], '-inf', now)
          if failures[i] + redis.call('ZCARD', KEYS[i + 2]) >= limit then return {2} end
        end
        for i = 1, 2 do
          redis.call('ZADD', KEYS[i + 2], now + tonumber(ARGV[3]), ARGV[4])
          redis.call('EXPIRE', KEYS[i + 2], ARGV[3])
        end
        return {0}
        """

    // KEYS as for reserve; ARGV: window, token, succeeded (1 or 0). Frees the attempt's place;
    // a failure counts against both counters, a success clears the account's.
    private static let settleScript = """
        redis.call('ZREM', KEYS[3], ARGV[2])
        redis.call('ZREM', KEYS[4], ARGV[2])
        if ARGV[3] == '1' then
          redis.call('DEL', KEYS[1])
        else
          for i = 1, 2 do
            redis.call('INCR', KEYS[i])
            redis.call('EXPIRE', KEYS[i], ARGV[1], 'NX')
          end
        end
        return 0
        """

    /// Asks to verify one password for `account` from `address`, before the slow verification.
    public func reserve(account: String, address: String) throws -> Verdict {
        let keys = keys(account: account, address: address)
        let token = Hex.encode(try SecureRandom.bytes(count: 12))
        let reply = try redis.command(["EVAL", Self.reserveScript, "4"] + keys + [String(limit), String(window), String(hold), token])
        guard case .array(let parts) = reply, let verdict = parts.first?.integer else {
            throw RedisError.reply("login throttle: unexpected reply \(reply)")
        }
        switch verdict {
        case 0: return .allowed(Attempt(keys: keys, token: token))
        case 1: return .throttled(retryAfter: max(1, parts.dropFirst().first?.integer ?? 1))
        default: return .busy
        }
    }

    /// ``reserve(account:address:)``, waiting up to `patience` while the room is taken only by
    /// verifications in flight (each takes a fraction of a second); ``Verdict/busy`` only
    /// when they still fill it then.
    public func reserve(account: String, address: String, patience: Duration) throws -> Verdict {
        let until = ContinuousClock.now + patience
        var pause = 0.01
        while true {
            let verdict = try reserve(account: account, address: address)
            guard verdict == .busy, ContinuousClock.now < until else { return verdict }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.2)
        }
    }

    /// Ends an attempt: a failure counts against the account and the address; a success
    /// clears the account's failures.
    public func settle(_ attempt: Attempt, succeeded: Bool) throws {
        try redis.command(["EVAL", Self.settleScript, "4"] + attempt.keys + [String(window), attempt.token, succeeded ? "1" : "0"])
    }
}
