import Foundation
import JobRuntime
import PostgresClient
import Security
import Support

/// Training rows in PostgreSQL, with the job that runs each (enqueued in the same
/// transaction), their images, and the minimal strategy reads and writes training needs.
public struct TrainingStore: Sendable {
    /// The database.
    public let database: Database
    /// The queue the work goes to.
    public let queue: JobQueue

    /// A store over `queue`'s database.
    public init(queue: JobQueue) {
        self.database = queue.database
        self.queue = queue
    }

    /// What to create.
    public struct Draft: Sendable {
        /// `parameter_search`, `trademaster` or `market_dynamics`.
        public var kind: String
        /// The strategy, for training.
        public var strategy: TrainingStrategy?
        /// The dataset, if any.
        public var datasetID: Int64?
        /// The caller's label.
        public var name: String?
        /// The validated configuration.
        public var config: JSONDocument
        /// Trials of a search, for `total_trials` from the start.
        public var totalTrials: Int?

        /// A draft.
        public init(kind: String, strategy: TrainingStrategy?, datasetID: Int64?, name: String?, config: JSONDocument, totalTrials: Int? = nil) {
            self.kind = kind
            self.strategy = strategy
            self.datasetID = datasetID
            self.name = name
            self.config = config
            self.totalTrials = totalTrials
        }
    }

    /// Inserts the row and enqueues its job (`jobKind`, payload `{training_id}`) in one
    /// transaction; announces the job after the commit.
    public func create(_ draft: Draft, owner: Int64, jobKind: String, maxAttempts: Int = 3) throws -> TrainingJob {
        let (training, jobs) = try database.transaction { try insert(draft, owner: owner, jobKind: jobKind, maxAttempts: maxAttempts, in: $0) }
        queue.announce(jobs)
        return training
    }

    /// Inserts the row and enqueues its job on `connection`, inside the caller's transaction
    /// (an idempotent request's); the caller announces the jobs after the commit.
    public func insert(
        _ draft: Draft, owner: Int64, jobKind: String, maxAttempts: Int = 3,
        in tx: Transaction
    ) throws -> (training: TrainingJob, jobs: [Job]) {
        let rows = try tx.query(
            """
            INSERT INTO training_jobs (owner_id, kind, strategy_id, strategy_version, dataset_id, name, config, total_trials)
            VALUES (\(owner), \(draft.kind), \(draft.strategy?.id), \(draft.strategy?.version), \(draft.datasetID), \(draft.name),
                    \(draft.config)::jsonb, \(draft.totalTrials))
            RETURNING id
            """)
        let id: Int64 = try rows[0].decode("id")
        let jobs = try queue.enqueue(
            JobQueue.Draft(
                kind: jobKind, payload: .object(["training_id": .integer(id)]),
                ownerID: owner, maxAttempts: maxAttempts), in: tx)
        try tx.execute("UPDATE training_jobs SET job_id = \(jobs[0].id) WHERE id = \(id)")
        let created = try tx.query(
            """
            \(unsafeFragment: TrainingJob.selection)
            WHERE t.id = \(id)
            """)
        return (try TrainingJob(row: created[0]), jobs)
    }

    /// Enqueues another step (a dynamics test) for an existing row, which then follows that job.
    public func enqueueStep(id: Int64, owner: Int64, jobKind: String, payload: [String: JSONDocument]) throws -> TrainingJob {
        let jobs = try database.transaction { tx -> [Job] in
            var body = payload
            body["training_id"] = .integer(id)
            let jobs = try queue.enqueue(JobQueue.Draft(kind: jobKind, payload: .object(body), ownerID: owner), in: tx)
            try tx.execute("UPDATE training_jobs SET job_id = \(jobs[0].id), updated_at = now() WHERE id = \(id)")
            return jobs
        }
        queue.announce(jobs)
        guard let found = try find(id: id, owner: nil) else { throw DatabaseError.unavailable("training \(id) vanished") }
        return found
    }

    /// The row `id` if it exists and is `owner`'s (nil owner: any, for admins and workers).
    public func find(id: Int64, owner: Int64?) throws -> TrainingJob? {
        try database.query(
            """
            \(unsafeFragment: TrainingJob.selection)
            WHERE t.id = \(id) AND (\(owner)::bigint IS NULL OR t.owner_id = \(owner))
            """
        ).first.map(TrainingJob.init(row:))
    }

    /// A page of rows of `kinds`, newest first, filtered by status and strategy.
    public func list(owner: Int64?, kinds: [String], status: String?, strategyID: Int64?, limit: Int, offset: Int) throws -> (
        items: [TrainingJob], total: Int
    ) {
        let kindList = "{" + kinds.joined(separator: ",") + "}"
        let rows = try database.query(
            """
            WITH page AS (\(unsafeFragment: TrainingJob.selection)
                WHERE (\(owner)::bigint IS NULL OR t.owner_id = \(owner)) AND t.kind = ANY(\(kindList)::text[])
                  AND (\(strategyID)::bigint IS NULL OR t.strategy_id = \(strategyID)))
            SELECT *, count(*) OVER () AS total FROM page WHERE (\(status)::text IS NULL OR status = \(status))
            ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)
            """)
        if rows.isEmpty, offset > 0 {
            let count = try database.query(
                """
                WITH page AS (\(unsafeFragment: TrainingJob.selection)
                    WHERE (\(owner)::bigint IS NULL OR t.owner_id = \(owner)) AND t.kind = ANY(\(kindList)::text[])
                      AND (\(strategyID)::bigint IS NULL OR t.strategy_id = \(strategyID)))
                SELECT count(*) AS total FROM page WHERE (\(status)::text IS NULL OR status = \(status))
                """)
            return ([], try count[0].decode("total"))
        }
        return (try rows.map(TrainingJob.init(row:)), try rows.first?.decode("total") ?? 0)
    }

    /// The strategy `id` of `owner`, through the strategies store.
    public func strategy(id: Int64, owner: Int64) throws -> TrainingStrategy? {
        try StrategyStore(database: database).find(id: id, owner: owner).map(TrainingStrategy.init)
    }

    /// Whether dataset `id` exists and is `owner`'s.
    public func datasetExists(id: Int64, owner: Int64) throws -> Bool {
        try !database.query("SELECT 1 AS one FROM datasets WHERE id = \(id) AND owner_id = \(owner)").isEmpty
    }

    /// Whether dataset `id` holds bars of `symbol`.
    public func dataset(id: Int64, holds symbol: String) throws -> Bool {
        let wanted = try StrategyStore.json([["symbol": symbol]])
        return try !database.query(
            "SELECT 1 AS one FROM datasets WHERE id = \(id) AND summary -> 'symbols' @> \(wanted)::jsonb"
        ).isEmpty
    }

    /// Records progress details of a running row (not its status: that is the job's).
    public func record(
        id: Int64, epoch: Int? = nil, totalEpochs: Int? = nil, trial: Int? = nil, totalTrials: Int? = nil,
        history: JSONDocument? = nil, log: [String]? = nil, sessionID: String? = nil
    ) throws {
        let tail = log.map { $0.suffix(200).joined(separator: "\n") }
        try database.execute(
            """
            UPDATE training_jobs SET epoch = COALESCE(\(epoch), epoch), total_epochs = COALESCE(\(totalEpochs), total_epochs),
                trial = COALESCE(\(trial), trial), total_trials = COALESCE(\(totalTrials), total_trials),
                metrics_history = COALESCE(\(history)::jsonb, metrics_history), log_tail = COALESCE(\(tail), log_tail),
                session_id = COALESCE(\(sessionID), session_id), updated_at = now()
            WHERE id = \(id)
            """)
    }

    /// Writes the result and images on the completion transaction's connection.
    public static func complete(id: Int64, result: JSONDocument, images: [String: [UInt8]], in tx: Transaction) throws {
        try tx.execute("UPDATE training_jobs SET result = \(result)::jsonb, updated_at = now() WHERE id = \(id)")
        for (name, png) in images.sorted(by: { $0.key < $1.key }) {
            try tx.execute(
                """
                INSERT INTO training_images (training_id, name, png) VALUES (\(id), \(name), \(png))
                ON CONFLICT (training_id, name) DO UPDATE SET png = EXCLUDED.png, created_at = now()
                """)
        }
    }

    /// Merges `member` into the result's `key` object (a dynamics test's entry by label).
    public static func mergeResult(id: Int64, key: String, member: String, value: JSONDocument, in tx: Transaction) throws {
        try tx.execute(
            """
            UPDATE training_jobs SET result = jsonb_set(
                COALESCE(result, '{}'::jsonb) || jsonb_build_object(\(key)::text, COALESCE(result -> \(key), '{}'::jsonb)),
                ARRAY[\(key)::text, \(member)::text], \(value)::jsonb), updated_at = now()
            WHERE id = \(id)
            """)
    }

    /// The PNG `name` of row `id`, if it is `owner`'s and has one.
    public func image(id: Int64, owner: Int64?, name: String) throws -> [UInt8]? {
        let rows = try database.query(
            """
            SELECT encode(i.png, 'hex') AS png FROM training_images i JOIN training_jobs t ON t.id = i.training_id
            WHERE i.training_id = \(id) AND i.name = \(name) AND (\(owner)::bigint IS NULL OR t.owner_id = \(owner))
            """)
        guard let hex: String = try rows.first?.decode("png") else { return nil }
        return Hex.decode(hex)
    }

    /// Marks a market-dynamics labelling saved.
    public func markSaved(id: Int64) throws {
        try database.execute("UPDATE training_jobs SET saved_at = now(), updated_at = now() WHERE id = \(id)")
    }

    /// What `apply` did.
    public enum ApplyOutcome: Sendable {
        /// The strategy's new version and parameters.
        case applied(version: Int64, parameters: [String: Double])
        /// The strategy is gone.
        case strategyMissing
    }

    /// Writes `parameters` over the strategy's, checked by ``StrategyValidator`` as an edit
    /// would be (the strategy may have changed kind or rules since the search; a failure is
    /// ``StrategyRecordError/invalid(_:)``), through the strategies store (which bumps the
    /// version, refusing a concurrent edit), then records the version on the training row.
    public func apply(id: Int64, strategyID: Int64, owner: Int64, parameters: [String: Double]) throws -> ApplyOutcome {
        let strategies = StrategyStore(database: database)
        guard let record = try strategies.find(id: strategyID, owner: owner) else { return .strategyMissing }
        var input = StrategyValidator.Input(record)
        input.parameters.merge(StrategyValidator.clientParameters(kind: record.kind, parameters)) { $1 }
        let (validated, issues) = StrategyValidator.validate(input)
        guard let draft = validated, issues.isEmpty else { throw StrategyRecordError.invalid(issues) }
        let updated = try strategies.update(id: strategyID, owner: owner, with: draft, expectedVersion: record.version)
        try database.execute("UPDATE training_jobs SET applied_version = \(updated.version), updated_at = now() WHERE id = \(id)")
        return .applied(version: updated.version, parameters: updated.parameters)
    }
}

extension TrainingStore {
    /// Finished rows by engine (`parameter_search`, `trademaster`, `market_dynamics`) and
    /// outcome, for the `tm_training_jobs_total` counter.
    public func outcomes() throws -> [(engine: String, outcome: String, count: Int)] {
        try database.query(
            """
            SELECT t.kind AS engine, j.status AS outcome, count(*) AS n FROM training_jobs t JOIN jobs j ON j.id = t.job_id
            WHERE j.status IN ('succeeded', 'failed', 'cancelled') GROUP BY 1, 2 ORDER BY 1, 2
            """
        ).map { (try $0.decode("engine"), try $0.decode("outcome"), try $0.decode("n")) }
    }
}
