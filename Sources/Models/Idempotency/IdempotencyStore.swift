import PostgresClient
import Security

/// Idempotency keys for commands that start work (table `idempotency_keys`, kept 24 h): the
/// first command with a key does the work and its replay record is stored in the same
/// transaction; a retry with the same key and request gets that record again; the same key
/// with another request is ``IdempotencyError/keyReused``. A concurrent retry waits on the
/// key's row until the first command commits (or rolls back), so two never both do the work.
/// The record is opaque here: the caller decides what its code, reference and body mean.
public struct IdempotencyStore: Sendable {
    /// How long a key is remembered.
    public static let retentionHours = 24

    public let database: Database

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// What a command left to replay: a positive code, a reference to what it made, and
    /// bytes, kept as given.
    public struct Replay: Sendable, Equatable {
        /// The caller's code for the outcome (positive; 0 marks a key still in progress).
        public var code: Int
        /// What the command made (a resource's address), if anything.
        public var reference: String?
        /// The bytes to answer again.
        public var body: [UInt8]

        /// A record from its parts.
        public init(code: Int, reference: String?, body: [UInt8]) {
            precondition(code > 0, "0 marks a key in progress")
            self.code = code
            self.reference = reference
            self.body = body
        }
    }

    /// What ``perform(owner:route:key:requestBody:_:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// The work ran now; this is its record.
        case fresh(Replay)
        /// The key was used before with the same request: the first record.
        case replayed(Replay)

        /// The record, fresh or replayed.
        public var replay: Replay {
            switch self {
            case .fresh(let replay), .replayed(let replay): return replay
            }
        }
    }

    /// The hash a request body is recognised by (SHA-256, hex).
    public static func hash(_ body: [UInt8]) -> String {
        Hex.encode(SHA256.hash(body))
    }

    /// Runs `work` once per (`owner`, `route`, `key`): inside one transaction with the key's
    /// row, so the answer is stored exactly when the work's writes commit. A `work` that
    /// throws stores nothing (a retry does the work again).
    public func perform(
        owner: Int64, route: String, key: String, requestBody: [UInt8],
        _ work: (Transaction) throws -> Replay
    ) throws -> Outcome {
        let hash = Self.hash(requestBody)
        return try database.transaction { tx in
            try tx.execute(
                """
                DELETE FROM idempotency_keys WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                  AND created_at < now() - make_interval(hours => \(Self.retentionHours))
                """)
            // Blocks while another transaction holds a fresh row of this key, until it ends.
            let claimed = try tx.query(
                """
                INSERT INTO idempotency_keys (owner_id, route, key, request_hash, status, body)
                VALUES (\(owner), \(route), \(key), \(hash), 0, ''::bytea)
                ON CONFLICT (owner_id, route, key) DO NOTHING
                RETURNING 1 AS claimed
                """)
            if claimed.isEmpty {
                guard
                    let row = try tx.query(
                        """
                        SELECT request_hash, status, location, encode(body, 'hex') AS body FROM idempotency_keys
                        WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                        """
                    ).first
                else { throw IdempotencyError.inProgress }
                guard constantTimeEquals(Array(try row.decode("request_hash", as: String.self).utf8), Array(hash.utf8)) else {
                    throw IdempotencyError.keyReused
                }
                let status: Int = try row.decode("status")
                guard status != 0 else { throw IdempotencyError.inProgress }
                return .replayed(
                    Replay(
                        code: status, reference: try row.decodeIfPresent("location"),
                        body: Hex.decode(try row.decode("body")) ?? []))
            }
            let replay = try work(tx)
            try tx.execute(
                """
                UPDATE idempotency_keys SET status = \(replay.code), location = \(replay.reference), body = \(replay.body)
                WHERE owner_id = \(owner) AND route = \(route) AND key = \(key)
                """)
            return .fresh(replay)
        }
    }

    /// Forgets keys older than the retention, in batches of at most `batchSize` rows;
    /// returns how many (`tm prune`).
    @discardableResult
    public func prune(batchSize: Int = Database.pruneBatchSize) throws -> Int {
        try database.deleteInBatches(batchSize: batchSize) { limit in
            """
            DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => \(Self.retentionHours))
                LIMIT \(limit)))
            """
        }
    }

    /// How many keys ``prune(batchSize:)`` would delete now.
    public func prunable() throws -> Int {
        try database.count("SELECT count(*) AS n FROM idempotency_keys WHERE created_at < now() - make_interval(hours => \(Self.retentionHours))")
    }
}
