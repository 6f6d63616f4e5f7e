import Foundation
import TestSupport
import Testing

/// The pool's promises, checked on real processes through a real nginx: crashes, recycling,
/// reloads and shutdown under load.
@Suite(.serialized) struct PoolProcessTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    @Test func killedWorkerIsReplacedAndOnlyItsInFlightRequestsMayFail() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 4)
        defer { pool.stop() }
        let before = pool.workerPIDs()
        let load = pool.startLoad(path: "/health", warmUp: 300)
        let victim = try #require(before.first)
        let killedAt = Date()
        kill(victim, SIGKILL)
        let replaced = pool.wait(seconds: 5) {
            let now = pool.workerPIDs()
            return now.count == 2 && !now.contains(victim)
        }
        let replacedAfter = Date().timeIntervalSince(killedAt)
        let atKill = load.snapshot.total
        load.waitForResponses(atKill + 500)
        let outcome = load.stop()
        #expect(replaced, "the master did not replace the killed worker")
        #expect(replacedAfter < 1.0, "replacement took \(replacedAfter) s")
        // Only requests in flight on the killed worker's 4 threads may fail.
        let failed = outcome.total - outcome.count(200) + outcome.transportErrors
        #expect(failed <= 4, "failed: \(outcome.statuses) transport: \(outcome.samples)")
        #expect(outcome.count(200) >= 800)
        #expect(pool.logText.contains("worker crashed"))
    }

    @Test func workersAreRecycledAfterMaxRequestsWithoutFailures() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 2, maxRequests: 150)
        defer { pool.stop() }
        let initial = pool.workerPIDs()
        let load = pool.startLoad(path: "/health", warmUp: 1200)
        let outcome = load.stop()
        #expect(outcome.count(200) == outcome.total, "statuses: \(outcome.statuses)")
        #expect(outcome.transportErrors == 0, "\(outcome.samples)")
        #expect(outcome.total >= 1200)
        // The last workers to retire may still be draining: wait for them to leave.
        #expect(pool.wait(seconds: 10) { pool.workerPIDs().count == 2 }, "\(pool.workerPIDs())")
        let now = pool.workerPIDs()
        #expect(now.isDisjoint(with: initial), "workers were not replaced: \(initial) -> \(now)")
        #expect(pool.logText.contains("worker recycling"))
    }

    @Test func reloadUnderLoadFailsNoRequest() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 4)
        defer { pool.stop() }
        let old = pool.workerPIDs()
        let load = pool.startLoad(path: "/health", warmUp: 300)
        pool.signalMaster(SIGHUP)
        let swapped = pool.wait(seconds: 15) {
            let now = pool.workerPIDs()
            return now.count == 2 && now.isDisjoint(with: old)
        }
        let atSwap = load.snapshot.total
        load.waitForResponses(atSwap + 500)
        let outcome = load.stop()
        #expect(swapped, "old workers still running: \(pool.workerPIDs()) vs \(old)")
        #expect(outcome.count(200) == outcome.total, "statuses: \(outcome.statuses)")
        #expect(outcome.transportErrors == 0, "\(outcome.samples)")
        #expect(pool.logText.contains("reload complete"))
    }

    @Test func terminateLetsTheSlowRequestInFlightComplete() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 2)
        defer { pool.stop() }
        let port = pool.port
        let result = ResultBox()
        let thread = Thread {
            let client = TestHTTPClient(port: port)
            result.set(Result { try client.send("GET", "/_diag/sleep?ms=2000") })
        }
        thread.start()
        usleep(400_000)
        let signalledAt = Date()
        pool.signalMaster(SIGTERM)
        let status = pool.waitForMasterExit(seconds: 15)
        let response = try #require(try result.wait(seconds: 10))
        #expect(response.status == 200)
        #expect(response.json["slept_ms"] as? Int == 2000)
        #expect(status == 0, "master exit status \(String(describing: status))")
        let took = Date().timeIntervalSince(signalledAt)
        #expect(took >= 1.2 && took < 10, "master exited after \(took) s")
        #expect(pool.logText.contains("shutdown requested"))
    }

    @Test func poolDownGivesNginx502Problem() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2)
        defer { pool.stop() }
        pool.signalMaster(SIGTERM)
        #expect(pool.waitForMasterExit(seconds: 15) == 0)
        let response = try pool.client().send("GET", "/api/v1/status")
        #expect(response.status == 502)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json["status"] as? Int == 502)
        #expect(response.header("retry-after") == "1")
        #expect(response.json["request_id"] as? String == response.header("x-request-id"))
    }

    @Test func databaseRestartGives503sThenRecoversWithoutRestartingWorkers() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 4)
        defer { pool.stop() }
        let workers = pool.workerPIDs()
        let load = pool.startLoad(path: "/api/v1/status", warmUp: 200)
        var restarted = false
        defer { if !restarted { try? stack.control("postgres", "start") } }
        try stack.control("postgres", "stop")
        let saw503 = pool.wait(seconds: 10) { load.snapshot.count(503) > 20 }
        try stack.control("postgres", "start")
        restarted = true
        let client = pool.client()
        let recovered = pool.wait(seconds: 15) { (try? client.send("GET", "/api/v1/status").status) == 200 }
        usleep(200_000)  // requests already in flight when PostgreSQL came back may still answer 503
        let atRecovery = load.snapshot
        load.waitForResponses(atRecovery.total + 300)
        let outcome = load.stop()
        #expect(saw503)
        #expect(recovered)
        #expect(Set(outcome.statuses.keys).isSubset(of: [200, 503]), "statuses: \(outcome.statuses)")
        // Once it is back, no request fails: every thread replaces its stale connection before use.
        #expect(outcome.count(503) == atRecovery.count(503), "503s after recovery: \(outcome.statuses) vs \(atRecovery.statuses)")
        #expect(outcome.total - atRecovery.total >= 300)
        #expect(outcome.transportErrors == 0, "\(outcome.samples)")
        #expect(pool.workerPIDs() == workers, "workers were restarted")
    }

    @Test func redisRestartGives503sThenRecoversWithoutRestartingWorkers() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 4)
        defer { pool.stop() }
        let workers = pool.workerPIDs()
        let client = pool.client()
        #expect(try client.send("GET", "/api/v1/status").status == 200)
        var restarted = false
        defer { if !restarted { try? stack.control("redis", "start") } }
        try stack.control("redis", "stop")
        let down = try client.send("GET", "/api/v1/status")
        #expect(down.status == 503)
        #expect((down.json["checks"] as? [String: [String: Any]])?["redis"]?["status"] as? String == "down")
        #expect((down.json["checks"] as? [String: [String: Any]])?["postgres"]?["status"] as? String == "ok")
        #expect(try client.send("GET", "/health").status == 200, "liveness does not depend on Redis")
        try stack.control("redis", "start")
        restarted = true
        // The very first requests after the restart succeed on every thread: stale connections
        // are noticed and replaced before use, not discovered by a failing request.
        let load = pool.startLoad(path: "/api/v1/status", warmUp: 200)
        let outcome = load.stop()
        #expect(outcome.count(200) == outcome.total && outcome.transportErrors == 0, "\(outcome.statuses)")
        #expect(pool.workerPIDs() == workers, "workers were restarted")
    }

    @Test func crashLoopBrakeDelaysRespawns() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 1)
        defer { pool.stop() }
        var delays: [Double] = []
        for _ in 0..<6 {
            let victim = try #require(pool.workerPIDs().first)
            let killedAt = Date()
            kill(victim, SIGKILL)
            let replaced = pool.wait(seconds: 5) {
                let now = pool.workerPIDs()
                return now.count == 1 && !now.contains(victim)
            }
            #expect(replaced)
            delays.append(Date().timeIntervalSince(killedAt))
        }
        // Four crashes within ten seconds are replaced at once; from the fifth on the brake
        // waits 1 s, then 2 s.
        #expect(delays.prefix(4).allSatisfy { $0 < 0.5 }, "\(delays)")
        #expect(delays[4] >= 0.9 && delays[4] < 1.6, "\(delays)")
        #expect(delays[5] >= 1.9 && delays[5] < 2.6, "\(delays)")
        #expect(pool.logText.contains("crash loop brake"))
        #expect(try pool.client().send("GET", "/health").status == 200)
    }

    @Test func fiftyMegabyteUploadStreamsWithBoundedWorkerMemory() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2)
        defer { pool.stop() }
        let worker = try #require(pool.workerPIDs().first)
        let client = pool.client()
        _ = try client.send("GET", "/health")
        var body = [UInt8](repeating: 0, count: 50 << 20)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in body.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            body[index] = UInt8(truncatingIfNeeded: state >> 33)
            checksum = (checksum ^ UInt64(body[index])) &* 0x100_0000_01b3
        }
        // The worker's start-up set a peak above what a request adds: measure from its RSS now.
        let before = try ProcessTable.resetPeakMemory(worker)
        client.timeout = 120
        let response = try client.send("POST", "/_diag/upload", headers: ["Content-Type": "application/octet-stream"], body: body)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json["bytes"] as? Int == 50 << 20)
        #expect(response.json["fnv1a"] as? String == String(checksum, radix: 16))
        #expect(response.json["pid"] as? Int == Int(worker))
        let after = try #require(ProcessTable.memoryKilobytes(worker, field: "VmHWM"))
        print("diagnostic upload of \(body.count) bytes: worker peak RSS +\(after - before) KiB")
        // The body is 51,200 KiB; a streaming worker's peak grows by buffers, not by the body.
        #expect(after - before < 8 * 1024, "peak RSS grew from \(before) to \(after) KiB")
    }
}

/// A value handed from a thread to the test.
final class ResultBox: @unchecked Sendable {
    private let lock = NSCondition()
    private var value: Result<TestResponse, any Error>?

    func set(_ result: Result<TestResponse, any Error>) {
        lock.lock()
        value = result
        lock.broadcast()
        lock.unlock()
    }

    func wait(seconds: Double) throws -> TestResponse? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while value == nil && lock.wait(until: deadline) {}
        return try value?.get()
    }
}
