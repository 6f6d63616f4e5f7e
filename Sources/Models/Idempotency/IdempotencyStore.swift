import Security

/// `Idempotency-Key` for POSTs that start long work (table `idempotency_keys`, kept 24 h):
/// the first request with a key does the work and its answer is stored in the same
/// transaction; a retry with the same key and body gets that answer again; the same key with
/// another body is ``IdempotencyError/keyReused``. A concurrent retry waits on the key's row
/// until the first request commits (or rolls back), so two requests never both do the work.
public struct IdempotencyStore: Sendable {
    /// How long a key is remembered.
    public static let retentionHours = 24

    let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// An answer as stored: status, `Location`, body.
    public struct Answer: Sendable, Equatable {
        /// The HTTP status.
        public var status: Int
        /// The `Location` header, if any.
        public var location: String?
        /// The body.
        public var body: [UInt8]

        /// An answer from its parts.
        public init(status: Int, location: String?, body: [UInt8]) {
            self.status = status
            self.location = location
            self.body = body
        }
    }

    /// What ``perform(owner:route:key:requestBody:_:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// The work ran now; this is its answer.
        case fresh(Answer)
        /// The key was used before with the same body: the first answer.
        case replayed(Answer)
    }

    /// The hash a request body is recognised by (SHA-256, hex).
    public static func hash(_ body: [UInt8]) -> String {
        Hex.encode(SHA256.hash(body))
    }

    /// Runs `work` once per (`owner`, `route`, `key`): inside one transaction with the key's
    /// row, so the answer is stored exactly when the work's writes commit. A `work` that
    /// throws stores nothing (a retry does the work again).
    public func perform(owner: Int64, route: String, key: String, requestBody: [UInt8],
                        _ work: (PostgresConnection) throws -> Answer) throws -> Outcome {
        let hash = Self.hash(requestBody)
        return try database.transaction { connection in
            try connection.execute("""
                DELETE FROM idempotency_keys WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                  AND created_at < now() - make_interval(hours => \(Self.retentionHours))
                """)
            // Blocks while another transaction holds a fresh row of this key, until it ends.
            let claimed = try connection.query("""
                INSERT INTO idempotency_keys (owner_id, route, key, request_hash, status, body)
                VALUES (\(owner), \(route), \(key), \(hash), 0, ''::bytea)
                ON CONFLICT (owner_id, route, key) DO NOTHING
                RETURNING 1 AS claimed
                """)
            if claimed.isEmpty {
                guard let row = try connection.query("""
                    SELECT request_hash, status, location, encode(body, 'hex') AS body FROM idempotency_keys
                    WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                    """).first else { throw IdempotencyError.inProgress }
                guard constantTimeEquals(Array(try row.decode("request_hash", as: String.self).utf8), Array(hash.utf8)) else {
                    throw IdempotencyError.keyReused
                }
                let status: Int = try row.decode("status")
                guard status != 0 else { throw IdempotencyError.inProgress }
                return .replayed(Answer(status: status, location: try row.decodeIfPresent("location"),
                                        body: Hex.decode(try row.decode("body")) ?? []))
            }
            let answer = try work(connection)
            try connection.execute("""
                UPDATE idempotency_keys SET status = \(answer.status), location = \(answer.location), body = \(answer.body)
                WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                """)
            return .fresh(answer)
        }
    }

    /// Forgets keys older than the retention, in batches of at most `batchSize` rows;
    /// returns how many (`tm prune`).
    @discardableResult
    public func prune(batchSize: Int = Database.pruneBatchSize) throws -> Int {
        try database.deleteInBatches(batchSize: batchSize) { limit in """
            DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => \(Self.retentionHours))
                LIMIT \(limit)))
            """ }
    }

    /// How many keys ``prune(batchSize:)`` would delete now.
    public func prunable() throws -> Int {
        try database.count("SELECT count(*) AS n FROM idempotency_keys WHERE created_at < now() - make_interval(hours => \(Self.retentionHours))")
    }
}
