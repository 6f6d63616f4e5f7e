/// Why an `Idempotency-Key` request was refused, without HTTP.
public enum IdempotencyError: Error, Sendable, Equatable {
    /// The key was used before with another body (422).
    case keyReused
    /// The first request with the key has not finished yet (409, retry).
    case inProgress
    /// The key is empty, longer than 255 characters or has control characters (422).
    case invalidKey
}
