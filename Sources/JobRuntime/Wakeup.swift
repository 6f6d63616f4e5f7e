import Foundation

/// Wakes idle job threads: a generation counter under a condition. A thread reads the
/// generation before it looks for work and sleeps only if nothing was signalled since, so a
/// `NOTIFY` that arrives between an empty claim and the wait is never missed.
final class Wakeup: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation = 0

    /// The current generation.
    var current: Int {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    /// Wakes every waiting thread.
    func signal() {
        condition.lock()
        generation += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps until a signal after generation `seen`, or `timeout` seconds.
    func wait(after seen: Int, timeout: Double) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        while generation == seen {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
    }
}
