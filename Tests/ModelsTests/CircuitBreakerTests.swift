import Foundation
import Synchronization
import Testing

@testable import Models
@testable import TradeMasterAPI

/// The breaker's states: open after the threshold, refuse while open, one trial when the
/// time is up, closed again on success; each change reported once.
struct CircuitBreakerTests {
    @Test func opensRefusesTrialsAndCloses() {
        let changes = Mutex<[CircuitBreaker.State]>([])
        let breaker = CircuitBreaker(threshold: 3, openSeconds: 10) { snapshot in changes.withLock { $0.append(snapshot.state) } }
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(breaker.admit(now: start) == nil)
        breaker.failed("refused", now: start)
        breaker.failed("refused", now: start)
        #expect(breaker.snapshot.state == .closed)
        breaker.failed("refused", now: start)
        #expect(breaker.snapshot.state == .open)
        let refusal = breaker.admit(now: start.addingTimeInterval(4))
        #expect(refusal?.retryAfter == 6 && refusal?.lastError == "refused")
        // Time is up: one trial goes through, a second caller waits.
        #expect(breaker.admit(now: start.addingTimeInterval(11)) == nil)
        #expect(breaker.snapshot.state == .halfOpen)
        #expect(breaker.admit(now: start.addingTimeInterval(11)) != nil)
        // The trial fails: open again for the full time.
        breaker.failed("refused again", now: start.addingTimeInterval(11))
        #expect(breaker.admit(now: start.addingTimeInterval(20))?.lastError == "refused again")
        #expect(breaker.admit(now: start.addingTimeInterval(22)) == nil)
        breaker.succeeded()
        #expect(breaker.snapshot.state == .closed && breaker.snapshot.failures == 0)
        #expect(changes.withLock { $0 } == [.open, .halfOpen, .open, .halfOpen, .closed])
    }
}
