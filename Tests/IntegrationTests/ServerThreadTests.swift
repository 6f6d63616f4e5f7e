import Foundation
import TestSupport
import Testing

/// The serving threads under load through a real nginx: an idle kept connection holds no
/// thread, so no request waits behind one.
@Suite(.serialized) struct ServerThreadTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    /// 200 client connections for 20 s, each alternating a 5 ms handler and `/health`, on
    /// the development nginx config (kept upstream connections) and the default pool shape
    /// (2 × 8 threads, far fewer than the connections): every request is answered, none
    /// fails and none takes more than 1 s.
    @Test func twoHundredConnectionsForTwentySecondsNoRequestOverOneSecond() throws {
        let pool = try PrivatePool(stack: stack, workers: 2, threads: 8)
        defer { pool.stop() }
        let load = LoadGenerator(port: pool.port, paths: ["/_diag/sleep?ms=5", "/health"], threads: 200, slowAfter: 1)
        load.start()
        Thread.sleep(forTimeInterval: 20)
        let outcome = load.stop()
        #expect(outcome.transportErrors == 0, "\(outcome.samples)")
        #expect(outcome.count(200) == outcome.total, "statuses: \(outcome.statuses)")
        #expect(outcome.slow == 0, "\(outcome.slow) requests over 1 s; the slowest took \(outcome.slowest) s")
        // Every connection kept getting answers (at least one a second on average).
        #expect(outcome.total >= 200 * 20, "only \(outcome.total) responses")
    }

    /// One thread, ten kept connections: after a request on each, every connection is idle
    /// and kept open, and each still gets its next request answered (a thread pinned to a
    /// kept connection would never serve the second one).
    @Test func idleKeptConnectionsHoldNoThread() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 1)
        defer { pool.stop() }
        let connections = try (0..<10).map { _ in try FastCGIClient(socketPath: pool.socketPath) }
        for round in 0..<2 {
            for (index, connection) in connections.enumerated() {
                let response = try connection.get("/health")
                #expect(response.status == 200, "round \(round), connection \(index): \(response)")
            }
        }
    }

    /// SIGTERM while the only thread is busy and a request already waits on a kept, idle
    /// connection: the worker serves both before it exits.
    @Test func terminateServesARequestAlreadySentOnAKeptConnection() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 1)
        defer { pool.stop() }
        func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch { throw TestHTTPError(description: "\(name): \(error)") }
        }
        let kept = try FastCGIClient(socketPath: pool.socketPath)
        #expect(try step("first request") { try kept.get("/health").status } == 200)
        let slow = try FastCGIClient(socketPath: pool.socketPath)
        try step("slow request") { try slow.sendGet("/_diag/sleep?ms=1000") }
        usleep(300_000)  // the thread is now in the slow request
        try step("second request on the kept connection") { try kept.sendGet("/health") }
        usleep(100_000)
        pool.signalMaster(SIGTERM)
        let slowResponse = try step("slow response") { try slow.readResponse() }
        let keptResponse = try step("second response") { try kept.readResponse() }
        #expect(slowResponse.status == 200, "\(slowResponse)")
        #expect(keptResponse.status == 200, "\(keptResponse)")
        #expect(pool.waitForMasterExit(seconds: 15) == 0)
    }
}
