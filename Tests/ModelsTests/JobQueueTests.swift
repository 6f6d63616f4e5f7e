import Foundation
import TestSupport
import Testing

@testable import JobRuntime
@testable import Models

/// The queue's statements against the real PostgreSQL, without worker processes: the lease
/// guards every transition, rescue, cancel and enqueue inside a caller's transaction.
@Suite(.serialized) struct JobQueueTests {
    let fx: JobFixtures
    init() throws { fx = try JobFixtures() }

    @Test func aWorkerThatLostItsLeaseCannotCompleteTheJob() throws {
        let id = try #require(try fx.enqueue("test.unregistered", priority: -32000).first)
        let first = try #require(try fx.queue.claim(worker: "test-a", limit: 1, lease: 0.2).first)
        #expect(first.id == id && first.attempts == 1 && first.status == .running && first.leaseOwner == "test-a")
        usleep(400_000)
        let rescued = try fx.queue.rescueExpired()
        #expect(rescued.contains { $0.id == id && $0.status == .queued })
        let second = try #require(try fx.queue.claim(worker: "test-b", limit: 1, lease: 30).first)
        #expect(second.id == id && second.attempts == 2)

        // The old owner: its heartbeat, progress, completion and failure change nothing.
        #expect(try fx.queue.heartbeat(ids: [id], worker: "test-a", lease: 30).held.isEmpty)
        if case .lost = try fx.queue.recordProgress(id: id, worker: "test-a", progress: 0.5, message: nil) {
        } else {
            Issue.record("progress of a lost lease was accepted")
        }
        let stale = try fx.database.transaction { tx -> Job? in
            let done = try fx.queue.succeed(id: id, worker: "test-a", result: .object([:]), in: tx)
            if done != nil { try tx.execute("INSERT INTO diag_job_effects (job_id, attempt, worker) VALUES (\(id), 1, 'test-a')") }
            return done
        }
        #expect(stale == nil)
        #expect(try fx.queue.fail(id: id, worker: "test-a", error: "x", retryable: true, retryDelay: 0) == nil)

        // The new owner completes it, with its effects, once.
        let done = try fx.database.transaction { tx -> Job? in
            let done = try fx.queue.succeed(id: id, worker: "test-b", result: .object(["ok": .bool(true)]), in: tx)
            try tx.execute("INSERT INTO diag_job_effects (job_id, attempt, worker) VALUES (\(id), 2, 'test-b')")
            return done
        }
        #expect(done?.status == .succeeded && done?.result == .object(["ok": .bool(true)]) && done?.leaseOwner == nil)
        #expect(try fx.effects([id]) == [id: 1])
        let errors = try #require(try fx.jobs([id])[id]?.errors)
        guard case .array(let entries) = errors else {
            Issue.record("errors is not an array")
            return
        }
        #expect(entries.count == 1 && entries.first?["error"]?.stringValue?.contains("lease expired") == true)
    }

    @Test func enqueueInsideARolledBackTransactionLeavesNoJob() throws {
        struct Abort: Error {}
        var enqueued: [Job] = []
        #expect(throws: Abort.self) {
            try fx.database.transaction { tx in
                enqueued = try fx.queue.enqueue(.init(kind: "test.unregistered"), count: 2, in: tx)
                throw Abort()
            }
        }
        #expect(enqueued.count == 2)
        #expect(try fx.jobs(enqueued.map(\.id)).isEmpty)
        let committed = try fx.database.transaction { try fx.queue.enqueue(.init(kind: "test.unregistered"), in: $0) }
        #expect(try fx.jobs(committed.map(\.id)).count == 1)
    }

    @Test func cancelIsImmediateWhenQueuedRequestedWhenRunningAndRefusedWhenFinished() throws {
        let ids = try fx.enqueue("test.unregistered", count: 2, priority: -32000)
        guard case .cancelled(let cancelled) = try fx.queue.cancel(id: ids[1], owner: nil) else {
            Issue.record("queued job not cancelled at once")
            return
        }
        #expect(cancelled.status == .cancelled && cancelled.finishedAt != nil && cancelled.cancelRequestedAt != nil)
        let running = try #require(try fx.queue.claim(worker: "test-c", limit: 1, lease: 30).first)
        #expect(running.id == ids[0])
        guard case .requested(let requested) = try fx.queue.cancel(id: ids[0], owner: nil) else {
            Issue.record("running job not asked to stop")
            return
        }
        #expect(requested.status == .running && requested.cancelRequestedAt != nil)
        #expect(try fx.queue.heartbeat(ids: [ids[0]], worker: "test-c", lease: 30).cancelRequested == [ids[0]])
        #expect(try fx.queue.markCancelled(id: ids[0], worker: "test-c")?.status == .cancelled)
        guard case .finished = try fx.queue.cancel(id: ids[0], owner: nil) else {
            Issue.record("finished job cancelled")
            return
        }
        #expect(try fx.queue.cancel(id: ids[0], owner: -1) == .notFound)
        #expect(try fx.queue.cancel(id: Int64.max, owner: nil) == .notFound)
    }

    @Test func backoffGrowsWithJitter() {
        let configuration = JobWorkerConfiguration(workerID: "x", backoffSeconds: 1, backoffCapSeconds: 3600)
        for attempt in 1...10 {
            let delay = configuration.retryDelay(afterAttempt: attempt)
            let base = pow(2, Double(attempt - 1))
            #expect(delay >= base && delay < base * 1.5)
        }
        #expect(configuration.retryDelay(afterAttempt: 100) < 3600 * 1.5)
    }
}
