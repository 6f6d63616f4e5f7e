/// What a successful attempt hands back: the result to store, and the effects to write in
/// the same transaction that marks the job succeeded (under its lease), so they commit
/// exactly once, or not at all when the lease was lost.
public struct JobCompletion: Sendable {
    /// The job's `result`.
    public var result: JSONDocument?
    /// Writes the job's effects on the completion transaction's connection.
    public var effects: (@Sendable (PostgresConnection) throws -> Void)?

    /// A completion with `result` and optional `effects`.
    public init(result: JSONDocument? = nil, effects: (@Sendable (PostgresConnection) throws -> Void)? = nil) {
        self.result = result
        self.effects = effects
    }
}
