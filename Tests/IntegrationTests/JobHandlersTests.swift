import Foundation
import TestSupport
import Testing

/// `/api/v1/jobs` through nginx and the pool, with jobs enqueued by `tm jobs enqueue` and run
/// by a real `tm worker`.
@Suite(.serialized) struct JobHandlersTests {
    let fx: AuthFixtures

    /// Cancels jobs an earlier test left unfinished, so this test's worker sees only its own.
    init() throws {
        fx = try AuthFixtures()
        let cleanup = try TestStack.run([
            "psql", fx.stack.databaseURL, "-qc",
            """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE status IN ('queued', 'running')
            """,
        ])
        try #require(cleanup.status == 0, "\(cleanup.output)")
    }

    /// Enqueues with the CLI; returns the new ids.
    func enqueue(_ kind: String, payload: String = "{}", owner: Int, count: Int = 1) throws -> [Int] {
        let result = try TestStack.run(
            [
                fx.stack.binary, "jobs", "enqueue", kind, "--payload", payload, "--owner", String(owner),
                "--count", String(count),
            ], environment: ["TM_ENV_FILE": fx.stack.envFile])
        try #require(result.status == 0, "tm jobs enqueue: \(result.output)")
        return result.output.split(separator: "\n").compactMap { Int($0) }
    }

    /// Polls `GET /jobs/:id` until `done` holds; returns the last answer.
    @discardableResult
    func poll(_ id: Int, _ auth: [String: String], seconds: Double = 10, until done: ([String: Any]) -> Bool) throws -> [String: Any] {
        try fx.client.poll("/api/v1/jobs/\(id)", auth, seconds: seconds, every: 0.02, until: done)
    }

    func worker(concurrency: Int) throws -> TestWorker {
        let worker = try TestWorker(
            stack: fx.stack, concurrency: concurrency,
            environment: ["TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        try worker.waitUntilListening()
        return worker
    }

    @Test func listShowAndFiltersAreOwnerScoped() throws {
        let worker = try worker(concurrency: 2)
        defer { worker.stop() }
        let alice = try fx.register()
        let bob = try fx.register()
        let aliceAuth = try fx.login(alice).bearer
        let bobAuth = try fx.login(bob).bearer
        let noop = try enqueue("diag.noop", owner: alice.id)[0]
        let slept = try enqueue("diag.sleep", payload: #"{"ms": 10}"#, owner: alice.id)[0]
        let job = try poll(slept, aliceAuth) { $0["status"] as? String == "succeeded" }
        #expect(job["kind"] as? String == "diag.sleep" && job["owner_id"] as? Int == alice.id)
        #expect(job["attempts"] as? Int == 1 && job["progress"] as? Double == 1)
        #expect((job["result"] as? [String: Any])?["slept_ms"] as? Int == 10)
        #expect(job["created_at"] is String && job["started_at"] is String && job["finished_at"] is String)
        try poll(noop, aliceAuth) { $0["status"] as? String == "succeeded" }

        let list = try fx.client.send("GET", "/api/v1/jobs?limit=1", headers: aliceAuth)
        #expect(list.status == 200)
        #expect(list.json["total"] as? Int == 2 && list.json["limit"] as? Int == 1 && list.json["offset"] as? Int == 0)
        #expect(((list.json["items"] as? [[String: Any]])?.first)?["id"] as? Int == slept)
        let filtered = try fx.client.send("GET", "/api/v1/jobs?status=succeeded&kind=diag.noop", headers: aliceAuth)
        #expect((filtered.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [noop])
        #expect(try fx.client.send("GET", "/api/v1/jobs?status=queued", headers: aliceAuth).json["total"] as? Int == 0)

        let badStatus = try fx.client.send("GET", "/api/v1/jobs?status=done", headers: aliceAuth)
        #expect(badStatus.status == 422 && badStatus.header("content-type") == "application/problem+json")
        let issues = badStatus.json["errors"] as? [[String: Any]]
        #expect(issues?.first?["pointer"] as? String == "status" && (issues?.first?["detail"] as? String)?.contains("\"done\"") == true)
        let badKind = try fx.client.send("GET", "/api/v1/jobs?kind=nope&limit=500", headers: aliceAuth)
        #expect(badKind.status == 422)
        #expect(Set((badKind.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []) == ["kind", "limit"])

        // Bob sees none of Alice's jobs; an admin sees them.
        #expect(try fx.client.send("GET", "/api/v1/jobs/\(slept)", headers: bobAuth).status == 404)
        #expect(try fx.client.send("POST", "/api/v1/jobs/\(slept)/cancel", headers: bobAuth).status == 404)
        #expect(try fx.client.send("GET", "/api/v1/jobs", headers: bobAuth).json["total"] as? Int == 0)
        #expect(try fx.client.send("GET", "/api/v1/jobs/abc", headers: aliceAuth).status == 404)
        #expect(try fx.client.send("GET", "/api/v1/jobs/\(slept)").status == 401)
        let admin = try fx.createWithCLI(role: "admin")
        let adminAuth = try fx.login(admin).bearer
        #expect(try fx.client.send("GET", "/api/v1/jobs/\(slept)", headers: adminAuth).json["owner_id"] as? Int == alice.id)
    }

    @Test func cancelStopsARunningJobWithinASecondAndIsRefusedOnceFinished() throws {
        let worker = try worker(concurrency: 1)
        defer { worker.stop() }
        let alice = try fx.register()
        let auth = try fx.login(alice).bearer
        let ids = try enqueue("diag.sleep", payload: #"{"ms": 30000}"#, owner: alice.id, count: 2)
        try poll(ids[0], auth) { $0["status"] as? String == "running" }

        // The second waits behind the first (one thread): cancelled at once.
        let queued = try fx.client.send("POST", "/api/v1/jobs/\(ids[1])/cancel", headers: auth)
        #expect(queued.status == 200 && queued.json["status"] as? String == "cancelled", "\(queued.text)")

        let started = Date()
        let running = try fx.client.send("POST", "/api/v1/jobs/\(ids[0])/cancel", headers: auth)
        #expect(running.status == 202 && running.json["status"] as? String == "running" && running.json["cancel_requested_at"] is String)
        try poll(ids[0], auth, seconds: 5) { $0["status"] as? String == "cancelled" }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1, "the handler took \(elapsed) s to stop")

        let again = try fx.client.send("POST", "/api/v1/jobs/\(ids[0])/cancel", headers: auth)
        #expect(again.status == 409 && again.header("content-type") == "application/problem+json")
        #expect(worker.isRunning)
    }
}
