/// Why a handler was stopped from outside; thrown by ``JobContext/reportProgress(_:message:)``.
public enum JobInterruption: Error, Sendable, Equatable {
    /// Someone asked to cancel the job.
    case cancelled
    /// The lease expired and the job is no longer this worker's.
    case leaseLost
    /// The worker is shutting down and released the job to the queue.
    case shutdown
}
