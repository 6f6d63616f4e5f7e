/// Failures of the primitives in `Security` other than JWT verification (see `JWTError`).
public enum SecurityError: Error, Equatable, Sendable {
    /// The CSPRNG (`RAND_bytes`) failed; no secret material could be made.
    case randomGenerationFailed
    /// libargon2 failed to hash; the associated value is its (non-secret) error message.
    case passwordHashingFailed(String)
    /// Argon2 cost parameters outside what libargon2 or this module accept.
    case invalidParameters(String)
}
