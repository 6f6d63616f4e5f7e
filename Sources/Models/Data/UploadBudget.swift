import RedisClient

/// The file bytes each user may send to uploads within a window, stored or refused: a
/// refused upload costs the server as much as a stored one, so repeating it is bounded too.
///
/// One counter per user in Redis, `upload:budget:{user}`, which expires `window` seconds
/// after the first byte it counted (the window starts with the first upload after a quiet
/// one). Bytes are counted as the parser reads them (after gzip), in steps of at most
/// ``step`` bytes, each step one `INCRBY` in a script, so parallel uploads of one user
/// share the count and together never pass `limit` by more than a step each: the upload
/// whose step passes it is refused, its bytes still counted.
public struct UploadBudget: Sendable {
    let redis: Redis
    /// Bytes a user may upload per window.
    public let limit: Int64
    /// The window in seconds.
    public let window: Int64
    /// The most bytes an upload reads between two counts.
    public static let step = 1 << 20

    /// A budget of `limit` bytes per `window` seconds over `redis`.
    public init(redis: Redis, limit: Int64, window: Int64) {
        self.redis = redis
        self.limit = limit
        self.window = window
    }

    // KEYS: the user's counter; ARGV: bytes, limit, window. Adds the bytes (none: only checks)
    // and returns 0 while the count is within the limit (below it, for a check), else the
    // seconds until the window ends (at least 1).
    private static let script = """
        local used = redis.call('INCRBY', KEYS[1], ARGV[1])
        if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
        local limit = tonumber(ARGV[2])
        if used > limit or (tonumber(ARGV[1]) == 0 and used >= limit) then
          local ttl = redis.call('TTL', KEYS[1])
          if ttl < 1 then ttl = 1 end
          return ttl
        end
        return 0
        """

    /// Counts `bytes` of `owner`'s (0: only checks); throws
    /// ``DatasetError/uploadBudgetExceeded(limitBytes:windowSeconds:retryAfter:)`` once the
    /// window's count passes the limit.
    public func charge(owner: Int64, bytes: Int) throws {
        let wait =
            try redis.command(["EVAL", Self.script, "1", "upload:budget:\(owner)", String(bytes), String(limit), String(window)]).integer ?? 0
        if wait > 0 { throw DatasetError.uploadBudgetExceeded(limitBytes: limit, windowSeconds: window, retryAfter: wait) }
    }

    /// A meter of one upload of `owner`'s.
    public func meter(owner: Int64) -> Meter { Meter(budget: self, owner: owner) }

    /// Counts one upload's bytes against the budget, a step at a time.
    public final class Meter {
        let budget: UploadBudget
        let owner: Int64
        private var pending = 0

        init(budget: UploadBudget, owner: Int64) {
            self.budget = budget
            self.owner = owner
        }

        /// Refuses the upload before it starts when the window's budget is spent.
        public func check() throws { try budget.charge(owner: owner, bytes: 0) }

        /// Adds `bytes` read; counts them in Redis once a step has gathered.
        public func add(_ bytes: Int) throws {
            pending += bytes
            if pending >= UploadBudget.step { try flush() }
        }

        /// Counts what has not been counted yet.
        public func flush() throws {
            guard pending > 0 else { return }
            let bytes = pending
            pending = 0
            try budget.charge(owner: owner, bytes: bytes)
        }
    }
}
