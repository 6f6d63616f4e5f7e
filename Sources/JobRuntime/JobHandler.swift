/// The code behind one kind of job. `run` is called on a worker thread with the job's
/// context; it reports progress through it (which is where a cancel request is noticed) and
/// returns a ``JobCompletion``. Throwing ends the attempt: a ``JobFailure`` with its message,
/// anything else as an internal error; the worker retries with backoff while attempts remain.
public protocol JobHandler: Sendable {
    /// Does the work of one attempt.
    func run(_ context: JobContext) throws -> JobCompletion
}

/// A ``JobHandler`` made of a closure.
public struct JobFunction: JobHandler {
    private let body: @Sendable (JobContext) throws -> JobCompletion

    /// A handler that calls `body`.
    public init(_ body: @escaping @Sendable (JobContext) throws -> JobCompletion) {
        self.body = body
    }

    public func run(_ context: JobContext) throws -> JobCompletion {
        try body(context)
    }
}
