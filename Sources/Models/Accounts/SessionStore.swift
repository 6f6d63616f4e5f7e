import RedisClient
import Security
import TradeMasterAPI

/// Sessions and refresh-token families in Redis, so logout and revocation take effect on the
/// next request.
///
/// Keys (every one expires with the session):
/// - `auth:sess:{sid}`: hash `uid role created last_seen exp ip ua rt profile pv` (`rt` is the
///   SHA-256 hex of the session's current refresh token; `profile` the user's profile as the
///   API shows it, at user version `pv`), TTL = the session's remaining lifetime.
/// - `auth:rt:{sha256}`: the session id for a live refresh token, `!{sid}` once it has been
///   used; kept until the session would have ended, so presenting a used token again is
///   recognised as reuse and revokes the session.
/// - `auth:user:{uid}:sess`: set of the user's session ids (pruned when listed), TTL the
///   longest session lifetime.
public struct SessionStore: Sendable {
    let redis: Redis
    /// The longest lifetime of any session, for the per-user set's TTL.
    let maximumLifetime: Int64
    /// How stale `last_seen` may get before a request rewrites it.
    static let lastSeenResolution: Int64 = 60

    /// A store over `redis`; `maximumLifetime` is the longest session in seconds.
    public init(redis: Redis, maximumLifetime: Int64) {
        self.redis = redis
        self.maximumLifetime = maximumLifetime
    }

    static func sessionKey(_ id: String) -> String { "auth:sess:\(id)" }
    static func refreshKey(_ hash: String) -> String { "auth:rt:\(hash)" }
    static func userKey(_ userID: Int64) -> String { "auth:user:\(userID):sess" }
    static func digest(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }
    static func randomToken(bytes: Int) throws -> String { Base64URL.encode(try SecureRandom.bytes(count: bytes)) }

    /// Starts a session of `lifetime` seconds and returns it with its first refresh token.
    public func create(
        userID: Int64, role: Role, clientAddress: String, userAgent: String,
        lifetime: Int64, now: Int64 = UnixTime.now()
    ) throws -> (session: Session, refreshToken: String) {
        let id = try Self.randomToken(bytes: 16)
        let refreshToken = try Self.randomToken(bytes: 32)
        let hash = Self.digest(refreshToken)
        let session = Session(
            id: id, userID: userID, role: role, createdAt: now, lastSeenAt: now, expiresAt: now + lifetime,
            clientAddress: clientAddress, userAgent: String(userAgent.prefix(256)))
        let key = Self.sessionKey(id)
        // One transaction, so no key is ever left without its TTL.
        try redis.command(["MULTI"])
        do {
            try redis.command([
                "HSET", key, "uid", String(userID), "role", role.rawValue, "created", String(now),
                "last_seen", String(now), "exp", String(session.expiresAt), "ip", clientAddress,
                "ua", session.userAgent, "rt", hash,
            ])
            try redis.command(["EXPIRE", key, String(lifetime)])
            try redis.command(["SET", Self.refreshKey(hash), id, "EX", String(lifetime)])
            try redis.command(["SADD", Self.userKey(userID), id])
            try redis.command(["EXPIRE", Self.userKey(userID), String(maximumLifetime)])
        } catch {
            _ = try? redis.command(["DISCARD"])
            throw error
        }
        guard case .array(let replies) = try redis.command(["EXEC"]), replies.count == 5 else {
            throw RedisError.reply("session transaction was not executed")
        }
        return (session, refreshToken)
    }

    /// What an access token's session says about its caller.
    public struct Check: Sendable {
        /// The user's current role.
        public var role: Role
        /// The user's profile as the API shows it, when cached (see ``publish(_:)``).
        public var profile: String?
    }

    /// The role (and cached profile) of session `id` when it is live and belongs to `userID`,
    /// else nil: one round trip. Touches `last_seen` when it is older than a minute.
    public func check(id: String, userID: Int64, now: Int64 = UnixTime.now()) throws -> Check? {
        let key = Self.sessionKey(id)
        guard case .array(let values) = try redis.command(["HMGET", key, "uid", "role", "last_seen", "profile"]), values.count == 4,
            let uid = values[0].integer, uid == userID,
            let roleName = values[1].string, let role = Role(rawValue: roleName)
        else { return nil }
        if let lastSeen = values[2].integer, now - lastSeen >= Self.lastSeenResolution {
            try update(id: id, ["last_seen", String(now)])
        }
        return Check(role: role, profile: values[3].string)
    }

    // KEYS[1]: a session; ARGV: version, role, profile. Writes only to a live session and only
    // a version no older than the one it holds, so of concurrent publishers the newest wins.
    private static let publishScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local held = tonumber(redis.call('HGET', KEYS[1], 'pv') or '0')
        if held > tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'pv', ARGV[1], 'role', ARGV[2], 'profile', ARGV[3])
        return 1
        """

    /// Pushes a user's state to every live session of theirs: the role they act with and the
    /// profile the API shows (JSON), as of the user row's `version` (an older one never
    /// overwrites a newer). The one way role changes and profile changes reach sessions,
    /// called after every change to a user row.
    public func publish(userID: Int64, version: Int64, role: Role, profile: String) throws {
        for id in try sessionIDs(userID: userID) {
            try redis.command(["EVAL", Self.publishScript, "1", Self.sessionKey(id), String(version), role.rawValue, profile])
        }
    }

    /// Session `id`, if live.
    public func find(id: String) throws -> Session? {
        guard case .array(let items) = try redis.command(["HGETALL", Self.sessionKey(id)]), !items.isEmpty else { return nil }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string { fields[name] = items[index + 1].string }
            index += 2
        }
        guard let uid = fields["uid"].flatMap(Int64.init), let role = fields["role"].flatMap(Role.init(rawValue:)),
            let created = fields["created"].flatMap(Int64.init), let expires = fields["exp"].flatMap(Int64.init)
        else { return nil }
        return Session(
            id: id, userID: uid, role: role, createdAt: created,
            lastSeenAt: fields["last_seen"].flatMap(Int64.init) ?? created, expiresAt: expires,
            clientAddress: fields["ip"] ?? "", userAgent: fields["ua"] ?? "")
    }

    /// What presenting a refresh token did.
    public enum Rotation: Sendable {
        /// The token was the session's current one: here is its successor.
        case rotated(session: Session, refreshToken: String)
        /// The token had already been used: the session has been revoked (theft detection).
        case reused(session: Session?)
        /// Unknown, expired, or its session has ended.
        case invalid
    }

    // Atomically marks a live token used and returns what it was: nil (unknown), `!sid`
    // (already used) or `sid` (this caller won the rotation).
    private static let claimScript = """
        local v = redis.call('GET', KEYS[1])
        if not v then return false end
        if string.sub(v, 1, 1) == '!' then return v end
        redis.call('SET', KEYS[1], '!' .. v, 'KEEPTTL')
        return v
        """

    // HSET on a live session only: a plain HSET racing with a revocation would recreate the
    // hash without a TTL (a zombie that never expires).
    private static let updateScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return 1
        """

    /// Sets `fields` (name, value, name, value…) of session `id` if it is still live.
    @discardableResult
    func update(id: String, _ fields: [String]) throws -> Bool {
        try redis.command(["EVAL", Self.updateScript, "1", Self.sessionKey(id)] + fields).integer == 1
    }

    /// Exchanges `refreshToken` for a new one; each token works once.
    public func rotate(refreshToken: String, now: Int64 = UnixTime.now()) throws -> Rotation {
        guard refreshToken.utf8.count <= 128 else { return .invalid }
        let hash = Self.digest(refreshToken)
        guard let claimed = try redis.command(["EVAL", Self.claimScript, "1", Self.refreshKey(hash)]).string else { return .invalid }
        if claimed.hasPrefix("!") {
            let id = String(claimed.dropFirst())
            let session = try find(id: id)
            try revoke(id: id)
            return .reused(session: session)
        }
        guard let session = try find(id: claimed) else { return .invalid }
        let current = try redis.command(["HGET", Self.sessionKey(claimed), "rt"]).string ?? ""
        guard constantTimeEquals(Array(current.utf8), Array(hash.utf8)) else {
            // A live token that is not the session's current one: treat it as reuse.
            try revoke(id: claimed)
            return .reused(session: session)
        }
        let remaining = session.expiresAt - now
        guard remaining > 0 else { return .invalid }
        let next = try Self.randomToken(bytes: 32)
        let nextHash = Self.digest(next)
        try redis.command(["SET", Self.refreshKey(nextHash), claimed, "EX", String(remaining)])
        guard try update(id: claimed, ["rt", nextHash, "last_seen", String(now)]) else {
            // Revoked meanwhile (say, a concurrent reuse of the same token).
            try redis.command(["DEL", Self.refreshKey(nextHash)])
            return .invalid
        }
        var updated = session
        updated.lastSeenAt = now
        return .rotated(session: updated, refreshToken: next)
    }

    /// Ends session `id`; false when it was not live.
    @discardableResult
    public func revoke(id: String) throws -> Bool {
        let key = Self.sessionKey(id)
        guard case .array(let values) = try redis.command(["HMGET", key, "uid", "rt"]), values.count == 2,
            let uid = values[0].integer
        else { return false }
        if let rt = values[1].string { try redis.command(["DEL", Self.refreshKey(rt)]) }
        try redis.command(["DEL", key])
        try redis.command(["SREM", Self.userKey(uid), id])
        return true
    }

    /// The ids of the user's sessions (including some that may have expired).
    func sessionIDs(userID: Int64) throws -> [String] {
        guard case .array(let items) = try redis.command(["SMEMBERS", Self.userKey(userID)]) else { return [] }
        return items.compactMap(\.string)
    }

    /// Ends every session of `userID` except `except`; returns how many were live.
    @discardableResult
    public func revokeAll(userID: Int64, except: String? = nil) throws -> Int {
        var count = 0
        for id in try sessionIDs(userID: userID) where id != except {
            if try revoke(id: id) { count += 1 } else { try redis.command(["SREM", Self.userKey(userID), id]) }
        }
        return count
    }

    /// The user's live sessions, newest first; expired ids are pruned from the set.
    public func list(userID: Int64) throws -> [Session] {
        var sessions: [Session] = []
        for id in try sessionIDs(userID: userID) {
            if let session = try find(id: id), session.userID == userID {
                sessions.append(session)
            } else {
                try redis.command(["SREM", Self.userKey(userID), id])
            }
        }
        return sessions.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

}
