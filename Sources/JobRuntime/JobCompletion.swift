import PostgresClient
import Support

/// What a successful attempt hands back: the result to store, and the effects to write in
/// the same transaction that marks the job succeeded (under its lease), so they commit
/// exactly once, or not at all when the lease was lost.
public struct JobCompletion: Sendable {
    /// The job's `result`.
    public var result: JSONDocument?
    /// Writes the job's effects in the completion's transaction.
    public var effects: (@Sendable (Transaction) throws -> Void)?
    /// Runs once the success and its effects are committed (events to announce them); not
    /// when the lease was lost.
    public var afterCommit: (@Sendable () -> Void)?
    /// The job as the handler already committed it succeeded, with its effects, in its own
    /// transaction (``JobContext/succeed(result:in:)``); the worker then only announces it.
    public var committed: Job?

    /// A completion with `result`, and optional `effects` and `afterCommit`.
    public init(
        result: JSONDocument? = nil, effects: (@Sendable (Transaction) throws -> Void)? = nil,
        afterCommit: (@Sendable () -> Void)? = nil
    ) {
        self.result = result
        self.effects = effects
        self.afterCommit = afterCommit
    }

    /// A completion whose success the handler committed itself, together with its effects
    /// (``JobContext/succeed(result:in:)``).
    public static func committed(_ job: Job, afterCommit: (@Sendable () -> Void)? = nil) -> JobCompletion {
        var completion = JobCompletion(result: job.result, afterCommit: afterCommit)
        completion.committed = job
        return completion
    }
}
