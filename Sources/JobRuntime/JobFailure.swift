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
