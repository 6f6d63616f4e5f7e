import Foundation
import Synchronization
import Testing

@testable import Handlers

/// ``CachedCheck`` shared by many threads, as a worker's request threads share it.
@Suite struct CachedCheckTests {
    /// Many threads calling `value` with an always-stale cache, so probes store a new
    /// `checkedAt` all the time while other threads compare their clock with it. The old
    /// code read the clock before taking the lock and subtracted unsigned: a thread that
    /// read its clock, then waited for the lock while another stored a later time, trapped
    /// (this test then dies instead of passing).
    @Test func manyThreadsNeverTrap() {
        let cache = CachedCheck(seconds: 0)
        let probes = Atomic<Int>(0)
        let answers = Atomic<Int>(0)
        let threads = 8
        let rounds = 20_000
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                for _ in 0..<rounds {
                    let check = cache.value {
                        probes.add(1, ordering: .relaxed)
                        return HealthHandlers.Check(status: "ok", latencyMs: 0, error: nil)
                    }
                    if check.status == "ok" || check.status == "unknown" { answers.add(1, ordering: .relaxed) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(answers.load(ordering: .relaxed) == threads * rounds)
        #expect(probes.load(ordering: .relaxed) > 0)
    }

    /// A fresh result is served from the cache: the probe runs once.
    @Test func freshResultIsNotProbedAgain() {
        let cache = CachedCheck(seconds: 3600)
        var probes = 0
        for _ in 0..<5 {
            _ = cache.value {
                probes += 1
                return HealthHandlers.Check(status: "ok", latencyMs: 0, error: nil)
            }
        }
        #expect(probes == 1)
    }
}
