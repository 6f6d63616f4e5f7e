import Foundation
import TestSupport
import Testing

@testable import JobRuntime
@testable import Models
@testable import PostgresClient
@testable import Support

/// The queue of the test stack's PostgreSQL, the `diag_job_effects` table that `diag.count`
/// writes (one row per completed job), and helpers to wait for jobs.
struct JobFixtures {
    let stack: TestStack
    let database: Database
    let queue: JobQueue

    /// Connects, creates `diag_job_effects`, and cancels jobs an earlier test left unfinished,
    /// so this test's workers see only its own jobs.
    init() throws {
        stack = try TestStack.current()
        database = Database(url: stack.databaseURL)
        queue = JobQueue(database: database)
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS diag_job_effects (
                job_id bigint NOT NULL, attempt integer NOT NULL, worker text NOT NULL, at timestamptz NOT NULL DEFAULT now())
            """)
        try database.execute(
            """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE status IN ('queued', 'running')
            """)
    }

    /// Enqueues `count` jobs of `kind`.
    func enqueue(
        _ kind: String, _ payload: [String: JSONDocument] = [:], count: Int = 1, maxAttempts: Int = 3,
        priority: Int = 0
    ) throws -> [Int64] {
        try queue.enqueue(
            .init(kind: kind, payload: .object(payload), priority: priority, maxAttempts: maxAttempts),
            count: count
        ).map(\.id)
    }

    /// The jobs `ids`, by id.
    func jobs(_ ids: [Int64]) throws -> [Int64: Job] {
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: Job.columns) FROM jobs WHERE id = ANY(\(JobQueue.arrayLiteral(ids))::bigint[])
            """)
        return Dictionary(uniqueKeysWithValues: try rows.map(Job.init(row:)).map { ($0.id, $0) })
    }

    /// Waits until every job of `ids` satisfies `done` (default: finished); returns them.
    @discardableResult
    func wait(for ids: [Int64], seconds: Double, until done: (Job) -> Bool = { $0.status.isFinished }) throws -> [Int64: Job] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let jobs = try self.jobs(ids)
            if jobs.count == ids.count && jobs.values.allSatisfy(done) { return jobs }
            if Date() > deadline {
                let counts = Dictionary(grouping: jobs.values, by: \.status).mapValues(\.count)
                throw TestHTTPError(description: "jobs not done after \(seconds) s: \(counts)")
            }
            usleep(50_000)
        }
    }

    /// How many `diag_job_effects` rows each of `ids` has (absent: none).
    func effects(_ ids: [Int64]) throws -> [Int64: Int] {
        let rows = try database.query(
            """
            SELECT job_id, count(*) AS n FROM diag_job_effects WHERE job_id = ANY(\(JobQueue.arrayLiteral(ids))::bigint[])
            GROUP BY job_id
            """)
        var result: [Int64: Int] = [:]
        for row in rows { result[try row.decode("job_id")] = try row.decode("n") }
        return result
    }

    /// A worker process with test-friendly timings unless `environment` says otherwise.
    func worker(concurrency: Int, _ environment: [String: String] = [:]) throws -> TestWorker {
        let defaults = [
            "TM_JOB_LEASE_SECONDS": "5", "TM_JOB_POLL_MS": "1000", "TM_JOB_BACKOFF_MS": "100",
            "TM_WORKER_SHUTDOWN_TIMEOUT": "2",
        ]
        return try TestWorker(stack: stack, concurrency: concurrency, environment: defaults.merging(environment) { $1 })
    }
}
