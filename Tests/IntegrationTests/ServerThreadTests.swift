import Foundation
import Testing
import TestSupport

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
}
