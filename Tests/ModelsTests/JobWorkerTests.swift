import Foundation
import TestSupport
import Testing

@testable import JobRuntime
@testable import Models

/// Real `tm worker` processes against the test stack's PostgreSQL: exactly-once completion
/// under concurrency, kill -9, retries, PostgreSQL restarts, NOTIFY wake-up, shutdown.
@Suite(.serialized) struct JobWorkerTests {
    let fx: JobFixtures
    init() throws { fx = try JobFixtures() }

    @Test func thousandJobsOnFourWorkersRunExactlyOnce() throws {
        let workers = try (0..<4).map { _ in try fx.worker(concurrency: 4) }
        defer { workers.forEach { $0.stop() } }
        for worker in workers { try worker.waitUntilListening() }
        let ids = try fx.enqueue("diag.count", count: 1000)
        let jobs = try fx.wait(for: ids, seconds: 90)
        #expect(jobs.values.allSatisfy { $0.status == .succeeded && $0.attempts == 1 })
        let effects = try fx.effects(ids)
        #expect(effects.count == 1000, "jobs without their effect: \(1000 - effects.count)")
        #expect(effects.values.allSatisfy { $0 == 1 }, "jobs counted twice: \(effects.filter { $0.value != 1 }.keys.sorted())")
        let spread = try fx.database.query(
            """
            SELECT count(DISTINCT worker) AS n FROM diag_job_effects WHERE job_id = ANY(\(JobQueue.arrayLiteral(ids))::bigint[])
            """)[0].decode("n", as: Int.self)
        #expect(spread == 4, "the jobs ran on \(spread) of 4 workers")
    }

    @Test func aKilledWorkersJobsAreTakenOverAndCompletedOnce() throws {
        let lease = ["TM_JOB_LEASE_SECONDS": "2"]
        let doomed = try fx.worker(concurrency: 3, lease)
        defer { doomed.stop() }
        try doomed.waitUntilListening()
        let ids = try fx.enqueue("diag.count", ["sleep_ms": .integer(1500)], count: 3)
        try fx.wait(for: ids, seconds: 10) { $0.status == .running && $0.leaseOwner?.contains(":\(doomed.pid):") == true }
        usleep(300_000)
        doomed.send(SIGKILL)
        #expect(doomed.waitForExit(seconds: 5) == 128 + SIGKILL)

        let heir = try fx.worker(concurrency: 3, lease)
        defer { heir.stop() }
        let jobs = try fx.wait(for: ids, seconds: 20)
        for job in jobs.values {
            #expect(job.status == .succeeded && job.attempts == 2, "\(job)")
            guard case .array(let errors) = job.errors else {
                Issue.record("errors not an array")
                continue
            }
            #expect(errors.count == 1 && errors[0]["error"]?.stringValue?.contains("lease expired") == true)
        }
        #expect(try fx.effects(ids) == Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) }))
        #expect(heir.isRunning)
    }

    @Test func failuresRetryWithGrowingBackoffThenSucceedOrFail() throws {
        let worker = try fx.worker(concurrency: 2)
        defer { worker.stop() }
        try worker.waitUntilListening()
        let flaky = try fx.enqueue("diag.fail", ["failures": .integer(2)], maxAttempts: 5)[0]
        let hopeless = try fx.enqueue("diag.fail", maxAttempts: 4)[0]
        let unknown = try fx.enqueue("no.such.kind")[0]
        let jobs = try fx.wait(for: [flaky, hopeless, unknown], seconds: 20)

        let succeeded = try #require(jobs[flaky])
        #expect(succeeded.status == .succeeded && succeeded.attempts == 3)
        #expect(succeeded.result == .object(["attempts": .integer(3)]))

        let failed = try #require(jobs[hopeless])
        #expect(failed.status == .failed && failed.attempts == 4)
        #expect(failed.error == "diag.fail: attempt 4 fails on purpose")
        guard case .array(let errors) = failed.errors else {
            Issue.record("errors not an array")
            return
        }
        #expect(errors.count == 4)
        // Each entry has the time of the failure and of the retry; the delays double (±jitter).
        let times = errors.map { entry -> (Date, Date?) in
            let at = entry["at"]?.stringValue.flatMap { Self.parseTimestamp($0) } ?? .distantPast
            return (at, entry["retry_at"]?.stringValue.flatMap { Self.parseTimestamp($0) })
        }
        #expect(!times.contains { $0.0 == .distantPast }, "\(errors)")
        let delays = times.compactMap { at, retry in retry.map { $0.timeIntervalSince(at) } }
        #expect(delays.count == 3 && times.last?.1 == nil)
        #expect(delays.first.map { $0 >= 0.1 && $0 < 0.15 } == true, "\(delays)")
        for (earlier, later) in zip(delays, delays.dropFirst()) { #expect(later > earlier * 1.3, "\(delays)") }
        for (index, pair) in zip(times, times.dropFirst()).enumerated() {
            #expect(pair.1.0.timeIntervalSince(pair.0.0) >= delays[index], "attempt \(index + 2) ran before its backoff")
        }

        let orphan = try #require(jobs[unknown])
        #expect(orphan.status == .failed && orphan.attempts == 1 && orphan.error == "unknown job kind no.such.kind")
        let after = try fx.enqueue("diag.noop")
        #expect(try fx.wait(for: after, seconds: 5)[after[0]]?.status == .succeeded)
        #expect(worker.isRunning)
    }

    @Test func workersReconnectAfterPostgresRestartsWhileIdleAndWhileRunning() throws {
        // Polling every 60 s: only a re-established LISTEN can start the idle case's job in time.
        let settings = ["TM_JOB_LEASE_SECONDS": "2", "TM_JOB_POLL_MS": "60000"]
        let workers = try (0..<2).map { _ in try fx.worker(concurrency: 4, settings) }
        defer { workers.forEach { $0.stop() } }
        for worker in workers { try worker.waitUntilListening() }
        do {
            defer { try? fx.stack.control("postgres", "start") }
            try fx.stack.control("postgres", "stop")
            usleep(500_000)
            try fx.stack.control("postgres", "start")
        }
        for worker in workers { try worker.waitUntilListening(count: 2, seconds: 15) }
        let idle = try fx.enqueue("diag.count")
        #expect(try fx.wait(for: idle, seconds: 5)[idle[0]]?.status == .succeeded)

        let ids = try fx.enqueue("diag.count", ["sleep_ms": .integer(400)], count: 40)
        try fx.wait(for: Array(ids.prefix(8)), seconds: 10) { $0.status != .queued }
        do {
            defer { try? fx.stack.control("postgres", "start") }
            try fx.stack.control("postgres", "stop")
            usleep(1_000_000)
        }
        let jobs = try fx.wait(for: ids, seconds: 60)
        #expect(jobs.values.allSatisfy { $0.status == .succeeded }, "\(jobs.values.filter { $0.status != .succeeded })")
        #expect(try fx.effects(ids + idle) == Dictionary(uniqueKeysWithValues: (ids + idle).map { ($0, 1) }))
        #expect(workers.allSatisfy { $0.isRunning })
    }

    @Test func anIdleWorkerStartsAnEnqueuedJobWithinAHundredMilliseconds() throws {
        // Polling every 10 s, so only NOTIFY can be this fast.
        let worker = try fx.worker(concurrency: 2, ["TM_JOB_POLL_MS": "10000"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        usleep(300_000)
        var latencies: [Double] = []
        for _ in 0..<5 {
            let id = try fx.enqueue("diag.noop")[0]
            let job = try #require(try fx.wait(for: [id], seconds: 5)[id])
            latencies.append(try #require(job.startedAt).timeIntervalSince(job.createdAt))
            usleep(200_000)
        }
        #expect(latencies.allSatisfy { $0 < 0.1 }, "enqueue → start latencies: \(latencies)")
    }

    @Test func sigtermFinishesShortJobsReleasesLongOnesAndOldJobsArePruned() throws {
        let old = try fx.enqueue("diag.noop")[0]
        try fx.database.execute(
            """
            UPDATE jobs SET status = 'succeeded', finished_at = now() - interval '31 days' WHERE id = \(old)
            """)
        let worker = try fx.worker(concurrency: 2, ["TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let short = try fx.enqueue("diag.sleep", ["ms": .integer(400)])[0]
        let long = try fx.enqueue("diag.sleep", ["ms": .integer(30_000)])[0]
        try fx.wait(for: [short, long], seconds: 5) { $0.status == .running }
        worker.send(SIGTERM)
        #expect(worker.waitForExit(seconds: 5) == 0, "\(worker.log)")
        let jobs = try fx.jobs([short, long, old])
        #expect(jobs[short]?.status == .succeeded)
        #expect(jobs[long]?.status == .queued && jobs[long]?.attempts == 0 && jobs[long]?.leaseOwner == nil)
        #expect(jobs[old] == nil, "a job finished 31 days ago was not pruned")
    }

    /// A poison job harms only itself (issue 20): `diag.trap` traps its worker beside a job of
    /// one attempt (as a paper run has). Each dead worker's crash record names the trapping
    /// job, so the next worker charges it and gives the neighbour its attempt back; after
    /// TM_JOB_MAX_CRASHES (2) deaths the poison job fails for good and the neighbour succeeds.
    /// Without the records both would wait for their lease (10 s) and lose an attempt each
    /// time: the neighbour would fail.
    @Test func aPoisonJobIsChargedAndTheJobBesideItIsNot() throws {
        #if arch(x86_64)
        let trap = SIGILL
        #else
        let trap = SIGTRAP
        #endif
        let settings = ["TM_JOB_LEASE_SECONDS": "10", "TM_JOB_BACKOFF_MS": "100", "TM_JOB_MAX_CRASHES": "2"]
        let neighbour = try fx.enqueue("diag.count", ["sleep_ms": .integer(4000)], maxAttempts: 1)[0]
        let poison = try fx.enqueue("diag.trap", ["after_ms": .integer(300)], maxAttempts: 5)[0]
        var deaths: [Int32] = []
        for _ in 0..<2 {
            let doomed = try fx.worker(concurrency: 2, settings)
            defer { doomed.stop() }
            try fx.wait(for: [neighbour, poison], seconds: 10) {
                $0.status == .running && $0.leaseOwner?.contains(":\(doomed.pid):") == true
            }
            let status = doomed.waitForExit(seconds: 20)
            deaths.append(status ?? 0)
            #expect(doomed.log.contains("diag.trap: job \(poison) traps on purpose"), "\(doomed.log)")
        }
        #expect(deaths == [128 + trap, 128 + trap], "exit statuses \(deaths)")

        let heir = try fx.worker(concurrency: 2, settings)
        defer { heir.stop() }
        let jobs = try fx.wait(for: [neighbour, poison], seconds: 20)
        let spared = try #require(jobs[neighbour])
        #expect(spared.status == .succeeded && spared.attempts == 1 && spared.crashes == 0, "\(spared)")
        #expect(try fx.effects([neighbour]) == [neighbour: 1])
        let charged = try #require(jobs[poison])
        #expect(charged.status == .failed && charged.attempts == 2 && charged.crashes == 2, "\(charged)")
        #expect(charged.error == "the job stopped its worker 2 times (signal \(trap))")
        guard case .array(let errors) = charged.errors else {
            Issue.record("errors not an array")
            return
        }
        #expect(
            errors.map { $0["error"]?.stringValue } == [
                "the job stopped its worker (signal \(trap))", "the job stopped its worker 2 times (signal \(trap))",
            ])
        #expect(heir.log.contains("a worker died by a fatal signal in a job"))
        #expect(heir.isRunning)
    }

    /// `2026-11-28T07:30:10.123456+00:00` as jsonb renders timestamps.
    static func parseTimestamp(_ text: String) -> Date? {
        Date(sqlText: text.replacingOccurrences(of: "T", with: " "))
    }
}
