import Synchronization
import TMFcgi

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

    /// A cache that keeps a result for `seconds`.
    init(seconds: Double) {
        interval = UInt64(seconds * 1e9)
    }

    /// The cached result while fresh (or while another thread is probing); otherwise runs
    /// `probe` on this thread and keeps its result.
    func value(_ probe: () -> HealthHandlers.Check) -> HealthHandlers.Check {
        let now = Clock.monotonicNanoseconds()
        let cached: HealthHandlers.Check? = state.withLock { state in
            if let last = state.last, now - state.checkedAt < interval || state.probing { return last }
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
