import Synchronization

/// The flags through which a worker's other threads (the heartbeat, the listener, the
/// shutdown) tell a running handler to stop. Read at each progress report.
final class JobControl: Sendable {
    private let flags = Atomic<Int>(0)
    static let cancelled = 1, leaseLost = 2, shutdown = 4
    /// The job.
    let id: Int64

    init(id: Int64) { self.id = id }

    /// Raises `flag`.
    func raise(_ flag: Int) {
        flags.bitwiseOr(flag, ordering: .sequentiallyConsistent)
    }

    /// The strongest reason to stop, if any.
    var interruption: JobInterruption? {
        let value = flags.load(ordering: .sequentiallyConsistent)
        if value & Self.shutdown != 0 { return .shutdown }
        if value & Self.leaseLost != 0 { return .leaseLost }
        if value & Self.cancelled != 0 { return .cancelled }
        return nil
    }
}
