import Foundation
import Synchronization

/// A circuit breaker for one service: after `threshold` consecutive failures it opens and
/// calls fail at once for `openSeconds`; then one trial call is let through (half-open):
/// success closes it, failure opens it again. Shared by every thread of a process; each
/// change of state is handed to `onChange` (which records it for `/api/v1/status`).
public final class CircuitBreaker: Sendable {
    /// The breaker's position.
    public enum State: String, Sendable, Codable {
        /// Calls go through.
        case closed
        /// Calls fail at once.
        case open
        /// One trial call goes through.
        case halfOpen = "half_open"
    }

    /// A snapshot, for recording.
    public struct Snapshot: Sendable, Equatable {
        /// The state.
        public var state: State
        /// Consecutive failures.
        public var failures: Int
        /// When an open breaker lets a trial call through.
        public var openUntil: Date?
        /// The last failure's description.
        public var lastError: String?
    }

    private struct Inner {
        var state = State.closed
        var failures = 0
        var openUntil: Date?
        var lastError: String?
        var trialInFlight = false
    }

    private let inner = Mutex(Inner())
    /// Failures in a row that open it.
    public let threshold: Int
    /// How long it stays open.
    public let openSeconds: Double
    private let onChange: @Sendable (Snapshot) -> Void

    /// A closed breaker.
    public init(threshold: Int = 5, openSeconds: Double = 30, onChange: @escaping @Sendable (Snapshot) -> Void = { _ in }) {
        self.threshold = max(1, threshold)
        self.openSeconds = openSeconds
        self.onChange = onChange
    }

    /// Nil when a call may go out now; else the seconds until it may, and the last error.
    public func admit(now: Date = Date()) -> (retryAfter: Double, lastError: String)? {
        var changed: Snapshot?
        let refusal = inner.withLock { s -> (Double, String)? in
            switch s.state {
            case .closed:
                return nil
            case .open:
                guard let until = s.openUntil, now < until else {
                    s.state = .halfOpen
                    s.trialInFlight = true
                    changed = Self.snapshot(s)
                    return nil
                }
                return (until.timeIntervalSince(now), s.lastError ?? "")
            case .halfOpen:
                if s.trialInFlight { return (1, s.lastError ?? "") }
                s.trialInFlight = true
                return nil
            }
        }
        if let changed { onChange(changed) }
        return refusal.map { (retryAfter: $0.0, lastError: $0.1) }
    }

    /// Records a successful call.
    public func succeeded() {
        let changed = inner.withLock { s -> Snapshot? in
            let was = s.state
            s = Inner()
            return was == .closed ? nil : Self.snapshot(s)
        }
        if let changed { onChange(changed) }
    }

    /// Records a failed call (the service did not answer).
    public func failed(_ error: String, now: Date = Date()) {
        let changed = inner.withLock { s -> Snapshot? in
            s.failures += 1
            s.lastError = error
            s.trialInFlight = false
            if s.state == .halfOpen || s.failures >= threshold {
                let wasOpen = s.state == .open
                s.state = .open
                s.openUntil = now.addingTimeInterval(openSeconds)
                return wasOpen ? nil : Self.snapshot(s)
            }
            return nil
        }
        if let changed { onChange(changed) }
    }

    /// The current state.
    public var snapshot: Snapshot { inner.withLock { Self.snapshot($0) } }

    private static func snapshot(_ s: Inner) -> Snapshot {
        Snapshot(state: s.state, failures: s.failures, openUntil: s.openUntil, lastError: s.lastError)
    }
}
