import Foundation
import PostgresClient
import Support

/// What workers do with jobs: claim them under a lease, renew it, report progress, and end
/// the attempt. Every transition of a running job is guarded by `lease_owner`, so a worker
/// whose lease expired (and whose job another worker took over) changes nothing.
extension JobQueue {
    /// Claims up to `limit` due jobs for `worker` with one statement (`FOR UPDATE SKIP
    /// LOCKED`, so concurrent workers never wait for or take the same row), by priority, then
    /// age. Each claim counts as an attempt and holds a lease of `lease` seconds.
    public func claim(worker: String, limit: Int, lease: Double) throws -> [Job] {
        try database.query(
            """
            WITH next AS (
                SELECT id AS next_id FROM jobs WHERE status = 'queued' AND run_after <= now()
                ORDER BY priority, run_after, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            )
            UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = \(worker),
                lease_expires_at = now() + \(lease)::float8 * interval '1 second', heartbeat_at = now(),
                started_at = now(), updated_at = now()
            FROM next WHERE jobs.id = next.next_id
            RETURNING \(unsafeFragment: Job.columns)
            """
        ).map(Job.init(row:))
    }

    /// What a heartbeat learnt.
    public struct HeartbeatResult: Sendable {
        /// The jobs whose lease was renewed (the others are no longer ours).
        public var held: Set<Int64>
        /// The held jobs someone asked to cancel.
        public var cancelRequested: Set<Int64>
    }

    /// Renews the lease of `worker`'s running jobs `ids`.
    public func heartbeat(ids: [Int64], worker: String, lease: Double) throws -> HeartbeatResult {
        guard !ids.isEmpty else { return HeartbeatResult(held: [], cancelRequested: []) }
        let rows = try database.query(
            """
            UPDATE jobs SET lease_expires_at = now() + \(lease)::float8 * interval '1 second', heartbeat_at = now()
            WHERE id = ANY(\(Self.arrayLiteral(ids))::bigint[]) AND lease_owner = \(worker) AND status = 'running'
            RETURNING id, cancel_requested_at IS NOT NULL AS cancel
            """)
        var result = HeartbeatResult(held: [], cancelRequested: [])
        for row in rows {
            let id: Int64 = try row.decode("id")
            result.held.insert(id)
            if try row.decode("cancel", as: Bool.self) { result.cancelRequested.insert(id) }
        }
        return result
    }

    /// The state of a running job after a progress write.
    public enum LeaseState: Sendable {
        /// Still ours, carry on.
        case held
        /// Still ours, but a cancel was asked for.
        case cancelRequested
        /// No longer ours (expired and taken over, or released).
        case lost
    }

    /// Stores the progress of `worker`'s job `id`.
    public func recordProgress(id: Int64, worker: String, progress: Double, message: String?) throws -> LeaseState {
        let rows = try database.query(
            """
            UPDATE jobs SET progress = \(min(max(progress, 0), 1)), message = \(message.map { String($0.prefix(500)) }), updated_at = now()
            WHERE id = \(id) AND lease_owner = \(worker) AND status = 'running'
            RETURNING cancel_requested_at IS NOT NULL AS cancel
            """)
        guard let row = rows.first else { return .lost }
        return try row.decode("cancel", as: Bool.self) ? .cancelRequested : .held
    }

    /// Marks `worker`'s job `id` succeeded with `result`. With `tx`, call it in the
    /// transaction that commits the job's effects, so both commit or neither; without, the
    /// one statement is its own transaction. Nil when the lease is no longer ours; then roll
    /// the effects back.
    public func succeed(id: Int64, worker: String, result: JSONDocument?, in tx: Transaction? = nil) throws -> Job? {
        let sql: SQL = """
            UPDATE jobs SET status = 'succeeded', result = \(result)::jsonb, progress = 1, finished_at = now(), updated_at = now(),
                lease_owner = NULL, lease_expires_at = NULL, error = NULL
            WHERE id = \(id) AND lease_owner = \(worker) AND status = 'running'
            RETURNING \(unsafeFragment: Job.columns)
            """
        return try (tx.map { try $0.query(sql) } ?? database.query(sql)).first.map(Job.init(row:))
    }

    /// Ends a failed attempt of `worker`'s job `id`: queued again after `retryDelay` seconds
    /// while attempts remain and `retryable`, else failed; cancelled if a cancel was asked
    /// for. The error is kept, and appended to `errors`. Nil when the lease is no longer ours.
    public func fail(id: Int64, worker: String, error: String, retryable: Bool, retryDelay: Double) throws -> Job? {
        let text = String(error.prefix(2000))
        return try database.query(
            """
            WITH decided AS (
                SELECT id AS decided_id, CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                WHEN \(retryable)::boolean AND attempts < max_attempts THEN 'queued' ELSE 'failed' END AS decision
                FROM jobs WHERE id = \(id) AND lease_owner = \(worker) AND status = 'running' FOR UPDATE
            )
            UPDATE jobs SET status = decided.decision, error = \(text), updated_at = now(),
                lease_owner = NULL, lease_expires_at = NULL,
                run_after = CASE WHEN decided.decision = 'queued' THEN now() + \(retryDelay)::float8 * interval '1 second' ELSE run_after END,
                finished_at = CASE WHEN decided.decision = 'queued' THEN NULL ELSE now() END,
                errors = errors || jsonb_build_object('attempt', attempts, 'at', now(), 'error', \(text)::text,
                    'retry_at', CASE WHEN decided.decision = 'queued' THEN now() + \(retryDelay)::float8 * interval '1 second' END)
            FROM decided WHERE jobs.id = decided.decided_id
            RETURNING \(unsafeFragment: Job.columns)
            """
        ).first.map(Job.init(row:))
    }

    /// Marks `worker`'s job `id` cancelled (its handler stopped on request).
    public func markCancelled(id: Int64, worker: String) throws -> Job? {
        try database.query(
            """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE id = \(id) AND lease_owner = \(worker) AND status = 'running'
            RETURNING \(unsafeFragment: Job.columns)
            """
        ).first.map(Job.init(row:))
    }

    /// Puts `worker`'s running jobs `ids` back in the queue (a shutdown that could not wait
    /// for them); the interrupted attempt is not counted.
    public func release(ids: [Int64], worker: String) throws -> [Job] {
        guard !ids.isEmpty else { return [] }
        return try database.transaction { tx in
            try tx.query(
                """
                WITH released AS (
                    UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), run_after = now(), updated_at = now(),
                        lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ANY(\(Self.arrayLiteral(ids))::bigint[]) AND lease_owner = \(worker) AND status = 'running'
                    RETURNING \(unsafeFragment: Job.columns)
                )
                SELECT released.*, pg_notify(\(Self.wakeChannel), released.kind) AS notified FROM released
                """
            ).map(Job.init(row:))
        }
    }

    /// Rescues the running jobs whose lease expired (their worker died or lost PostgreSQL):
    /// queued again while attempts remain, else failed; cancelled when a cancel was asked for.
    public func rescueExpired() throws -> [Job] {
        try database.transaction { tx in
            try tx.query(
                """
                WITH expired AS (
                    SELECT id AS expired_id, CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                    WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END AS decision
                    FROM jobs WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED
                ), rescued AS (
                    UPDATE jobs SET status = expired.decision, updated_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                        error = 'the worker stopped heartbeating (lease expired)', run_after = now(),
                        finished_at = CASE WHEN expired.decision = 'queued' THEN NULL ELSE now() END,
                        errors = errors || jsonb_build_object('attempt', attempts, 'at', now(),
                            'error', 'the worker stopped heartbeating (lease expired)', 'worker', lease_owner)
                    FROM expired WHERE jobs.id = expired.expired_id
                    RETURNING \(unsafeFragment: Job.columns)
                )
                SELECT rescued.*, pg_notify(\(Self.wakeChannel), rescued.kind) AS notified FROM rescued
                """
            ).map(Job.init(row:))
        }
    }

    /// Deletes finished jobs older than `days`, in batches of at most `batchSize` rows (one
    /// short transaction each); returns how many. The workers' hourly housekeeping and
    /// `tm prune` both call this.
    public func prune(olderThanDays days: Int, batchSize: Int = Database.pruneBatchSize) throws -> Int {
        try database.deleteInBatches(batchSize: batchSize) { limit in
            """
            DELETE FROM jobs WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM jobs WHERE finished_at IS NOT NULL AND finished_at < now() - \(days)::integer * interval '1 day'
                LIMIT \(limit)))
            """
        }
    }

    /// How many finished jobs ``prune(olderThanDays:batchSize:)`` would delete now.
    public func prunable(olderThanDays days: Int) throws -> Int {
        try database.count(
            """
            SELECT count(*) AS n FROM jobs WHERE finished_at IS NOT NULL AND finished_at < now() - \(days)::integer * interval '1 day'
            """)
    }

    /// `{1,2,3}`: a `bigint[]` parameter.
    static func arrayLiteral(_ ids: [Int64]) -> String {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }
}
