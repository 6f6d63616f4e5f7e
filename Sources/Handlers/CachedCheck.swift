import Synchronization
import TMFcgi
import TradeMasterAPI

/// The last result of a slow dependency check, shared by a worker's threads.
///
/// The TradeMaster service is outside our control: if it hangs, every readiness probe
/// would hold a pool thread for the whole client timeout. So at most one thread probes at
/// a time, at most once per `interval`; the others answer with the last result.
final class CachedCheck: Sendable {
    private struct State {
        var last: HealthHandlers.Check?
        var checkedAt: UInt64 = 0
        var probing = false
    }

    private let state = Mutex(State())
    private let interval: UInt64

    /// A cache that keeps a result for `seconds` (0 or less: every call probes, unless
    /// another thread is probing).
    init(seconds: Double) {
        interval = seconds > 0 ? UInt64(seconds * 1e9) : 0
    }

    /// The cached result while fresh (or while another thread is probing); otherwise runs
    /// `probe` on this thread and keeps its result.
    func value(_ probe: () -> HealthHandlers.Check) -> HealthHandlers.Check {
        let cached: HealthHandlers.Check? = state.withLock { state in
            // The clock is read under the lock, so no thread can have stored a later
            // `checkedAt` in between; the age still saturates at 0 rather than trap.
            let now = Clock.monotonicNanoseconds()
            let age = now >= state.checkedAt ? now - state.checkedAt : 0
            if let last = state.last, age < interval || state.probing { return last }
            if state.probing { return HealthHandlers.Check(status: "unknown", latencyMs: 0, error: "check in progress") }
            state.probing = true
            return nil
        }
        if let cached { return cached }
        let fresh = probe()
        state.withLock { state in
            state.last = fresh
            state.checkedAt = Clock.monotonicNanoseconds()
            state.probing = false
        }
        return fresh
    }
}
