import Foundation
import PostgresClient

/// What happens to the jobs of a worker that died by a fatal signal, once its crash record
/// (``CrashRecords``) named the job whose thread got the signal.
extension JobQueue {
    /// The jobs a dead worker's crash touched.
    public struct CrashRecovery: Sendable {
        /// The jobs whose thread got the signal: charged the attempt and a crash; queued again,
        /// or failed once they stopped a worker `maxCrashes` times or used their attempts.
        public var culprits: [Job]
        /// The jobs that merely ran beside them: queued again without losing an attempt.
        public var bystanders: [Job]
    }

    /// Ends the running jobs of dead worker `worker` (lease owner): each of `culprits` (job id
    /// → signal) is charged (its attempt stays counted, `crashes` + 1, an `errors` entry) and
    /// fails with "the job stopped its worker N times (signal S)" at `maxCrashes`, else is
    /// retried after `backoff` × 2^(crashes − 1) seconds; every other job the worker held goes
    /// back to the queue at once with its attempt given back. One transaction; a cancel asked
    /// for meanwhile wins.
    public func recoverCrash(worker: String, culprits: [Int64: Int32], maxCrashes: Int, backoff: Double) throws -> CrashRecovery {
        try database.transaction { tx in
            var charged: [Job] = []
            for (id, signal) in culprits.sorted(by: { $0.key < $1.key }) {
                let rows = try tx.query(
                    """
                    WITH hit AS (
                        SELECT id AS hit_id, crashes + 1 AS crash_count,
                            CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                 WHEN crashes + 1 < \(maxCrashes)::integer AND attempts < max_attempts THEN 'queued' ELSE 'failed' END AS decision,
                            CASE WHEN crashes = 0 THEN format('the job stopped its worker (signal %s)', \(Int(signal))::integer)
                                 ELSE format('the job stopped its worker %s times (signal %s)', crashes + 1, \(Int(signal))::integer) END AS reason
                        FROM jobs WHERE id = \(id) AND lease_owner = \(worker) AND status = 'running' FOR UPDATE
                    ), charged AS (
                        UPDATE jobs SET status = hit.decision, crashes = hit.crash_count, error = hit.reason, updated_at = now(),
                            lease_owner = NULL, lease_expires_at = NULL,
                            run_after = CASE WHEN hit.decision = 'queued'
                                THEN now() + least(\(backoff)::float8 * power(2, hit.crash_count - 1), 3600) * interval '1 second'
                                ELSE run_after END,
                            finished_at = CASE WHEN hit.decision = 'queued' THEN NULL ELSE now() END,
                            errors = errors || jsonb_build_object('attempt', attempts, 'at', now(), 'error', hit.reason,
                                'worker', \(worker)::text, 'signal', \(Int(signal))::integer)
                        FROM hit WHERE jobs.id = hit.hit_id
                        RETURNING \(unsafeFragment: Job.columns)
                    )
                    SELECT charged.*, pg_notify(\(Self.wakeChannel), charged.kind) AS notified FROM charged
                    """)
                charged += try rows.map(Job.init(row:))
            }
            let spared = try tx.query(
                """
                WITH spared AS (
                    UPDATE jobs SET status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'queued' END,
                        attempts = greatest(attempts - 1, 0), run_after = now(), updated_at = now(),
                        finished_at = CASE WHEN cancel_requested_at IS NOT NULL THEN now() END,
                        lease_owner = NULL, lease_expires_at = NULL
                    WHERE lease_owner = \(worker) AND status = 'running'
                    RETURNING \(unsafeFragment: Job.columns)
                )
                SELECT spared.*, pg_notify(\(Self.wakeChannel), spared.kind) AS notified FROM spared
                """)
            return CrashRecovery(culprits: charged, bystanders: try spared.map(Job.init(row:)))
        }
    }
}
