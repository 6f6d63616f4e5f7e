import Foundation
import PostgresClient
import Realtime
import Support

/// The job queue in PostgreSQL: enqueueing (also inside a caller's transaction), reading and
/// cancelling. What workers do with a job (claim, heartbeat, complete) is in
/// `JobQueue+Lease.swift`.
public struct JobQueue: Sendable {
    /// The channel a `NOTIFY` on enqueue goes to; its payload is the kind.
    public static let wakeChannel = "tm_jobs"
    /// The channel a cancel request goes to; its payload is the job id.
    public static let cancelChannel = "tm_job_cancel"

    /// The database.
    public let database: Database
    /// Where status changes go.
    public let events: any EventPublisher

    /// The most unfinished (queued or running) jobs one owner may have; nil: no limit (the
    /// workers' own queues and system jobs).
    public let ownerLimit: Int?

    /// A queue in `database`, publishing through `events`, with at most `ownerLimit`
    /// unfinished jobs per owner.
    public init(database: Database, events: any EventPublisher = NoEventPublisher(), ownerLimit: Int? = nil) {
        self.database = database
        self.events = events
        self.ownerLimit = ownerLimit
    }

    /// An owner already has ``ownerLimit`` unfinished jobs.
    public struct OwnerLimitReached: Error, Sendable, Equatable {
        /// The limit.
        public var limit: Int
        /// The owner's unfinished jobs now.
        public var unfinished: Int
    }

    /// Checks ``ownerLimit`` for `owner` adding `count` jobs, in `tx`. The owner's jobs are
    /// counted under a transaction lock of theirs, so parallel requests cannot each see room
    /// for one more: the second waits for the first to commit, then counts its jobs.
    func checkOwnerLimit(_ owner: Int64?, adding count: Int, in tx: Transaction) throws {
        guard let owner, let limit = ownerLimit else { return }
        try tx.lock("tm.jobs.owner.\(owner)")
        let row = try tx.query(
            "SELECT count(*)::bigint AS unfinished FROM jobs WHERE owner_id = \(owner) AND status IN ('queued', 'running')"
        ).first
        let unfinished = try row?.decode("unfinished", as: Int.self) ?? 0
        if unfinished + count > limit { throw OwnerLimitReached(limit: limit, unfinished: unfinished) }
    }

    /// What to enqueue.
    public struct Draft: Sendable {
        /// The handler's name.
        public var kind: String
        /// The handler's input.
        public var payload: JSONDocument
        /// The user it belongs to (nil: a system job).
        public var ownerID: Int64?
        /// Lower runs first.
        public var priority: Int
        /// Not before this time (nil: now).
        public var runAfter: Date?
        /// Attempts before it fails for good (1...100).
        public var maxAttempts: Int

        /// A draft with the defaults: priority 0, now, 3 attempts.
        public init(
            kind: String, payload: JSONDocument = .object([:]), ownerID: Int64? = nil, priority: Int = 0,
            runAfter: Date? = nil, maxAttempts: Int = 3
        ) {
            self.kind = kind
            self.payload = payload
            self.ownerID = ownerID
            self.priority = priority
            self.runAfter = runAfter
            self.maxAttempts = maxAttempts
        }
    }

    /// Inserts `count` jobs from `draft` on `connection`, inside the caller's transaction if
    /// one is open: the jobs and the caller's rows commit together, or neither. The `NOTIFY`
    /// that wakes idle workers is sent in the same transaction, so it fires on commit only.
    /// Publish the `queued` events with ``announce(_:)`` after the commit.
    public func enqueue(_ draft: Draft, count: Int = 1, in tx: Transaction) throws -> [Job] {
        try checkOwnerLimit(draft.ownerID, adding: count, in: tx)
        let rows = try tx.query(
            """
            WITH inserted AS (
                INSERT INTO jobs (kind, owner_id, payload, priority, run_after, max_attempts)
                SELECT \(draft.kind), \(draft.ownerID), \(draft.payload)::jsonb, \(draft.priority),
                       COALESCE(\(draft.runAfter)::timestamptz, now()), \(draft.maxAttempts)
                FROM generate_series(1, \(count))
                RETURNING \(unsafeFragment: Job.columns)
            )
            SELECT inserted.*, pg_notify(\(Self.wakeChannel), \(draft.kind)) AS notified FROM inserted ORDER BY id
            """)
        return try rows.map(Job.init(row:))
    }

    /// Inserts `count` jobs in a transaction of their own and announces them.
    @discardableResult
    public func enqueue(_ draft: Draft, count: Int = 1) throws -> [Job] {
        let jobs = try database.transaction { try enqueue(draft, count: count, in: $0) }
        announce(jobs)
        return jobs
    }

    /// Publishes the `queued` status of jobs enqueued (and committed) in a caller's transaction.
    public func announce(_ jobs: [Job]) {
        for job in jobs { events.publish(.jobStatus(job)) }
    }

    /// The job `id`, if it exists and belongs to `owner` (nil owner: any job, for admins).
    public func find(id: Int64, owner: Int64?) throws -> Job? {
        try database.query(
            """
            SELECT \(unsafeFragment: Job.columns) FROM jobs
            WHERE id = \(id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
            """
        ).first.map(Job.init(row:))
    }

    /// A page of jobs, newest first, optionally only `owner`'s and filtered by status and kind.
    public func list(owner: Int64?, status: JobStatus?, kind: String?, limit: Int, offset: Int) throws -> (jobs: [Job], total: Int) {
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: Job.columns) FROM jobs
            WHERE (\(owner)::bigint IS NULL OR owner_id = \(owner)) AND (\(status)::text IS NULL OR status = \(status))
              AND (\(kind)::text IS NULL OR kind = \(kind))
            ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)
            """)
        let count = try database.query(
            """
            SELECT count(*) AS total FROM jobs
            WHERE (\(owner)::bigint IS NULL OR owner_id = \(owner)) AND (\(status)::text IS NULL OR status = \(status))
              AND (\(kind)::text IS NULL OR kind = \(kind))
            """)
        return (try rows.map(Job.init(row:)), try count[0].decode("total"))
    }

    /// What a cancel request did.
    public enum CancelOutcome: Sendable, Equatable {
        /// The job was queued and is now cancelled.
        case cancelled(Job)
        /// The job is running; its handler stops at its next progress report.
        case requested(Job)
        /// The job had already finished; nothing changed.
        case finished(Job)
        /// No such job (or not `owner`'s).
        case notFound
    }

    /// Cancels a queued job at once, or asks a running one to stop (cooperatively).
    public func cancel(id: Int64, owner: Int64?) throws -> CancelOutcome {
        let rows = try database.transaction { tx in
            try tx.query(
                """
                WITH changed AS (
                    UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now(),
                        status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
                        finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END
                    WHERE id = \(id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner)) AND status IN ('queued', 'running')
                    RETURNING \(unsafeFragment: Job.columns)
                )
                SELECT changed.*, pg_notify(\(Self.cancelChannel), changed.id::text) AS notified FROM changed
                """)
        }
        if let job = try rows.first.map(Job.init(row:)) {
            if job.status == .cancelled {
                events.publish(.jobStatus(job))
                return .cancelled(job)
            }
            return .requested(job)
        }
        guard let job = try find(id: id, owner: owner) else { return .notFound }
        return job.status.isFinished ? .finished(job) : .requested(job)
    }
}
