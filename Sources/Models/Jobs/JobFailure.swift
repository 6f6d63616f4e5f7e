/// A failure a handler reports on purpose; its message is kept in the job's `error` and
/// shown to its owner. Other errors are stored as "internal error" (details in the log).
public struct JobFailure: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for the job's owner.
    public var message: String
    /// Whether another attempt could succeed (false: fail now, whatever attempts remain).
    public var retryable: Bool

    /// A failure saying `message`.
    public init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// Why a handler was stopped from outside; thrown by ``JobContext/reportProgress(_:message:)``.
public enum JobInterruption: Error, Sendable, Equatable {
    /// Someone asked to cancel the job.
    case cancelled
    /// The lease expired and the job is no longer this worker's.
    case leaseLost
    /// The worker is shutting down and released the job to the queue.
    case shutdown
}
