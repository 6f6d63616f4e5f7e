internal import CArgon2
import Synchronization

/// Argon2id password hashing (RFC 9106) through libargon2, in the PHC encoded form
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
///
/// Login should call `verify(password:encoded:)` for a known user and
/// `verifyUnknownUser(password:)` when no user has that name: the second runs one Argon2id
/// verification of the same cost against a dummy hash, so response time does not reveal
/// whether the account exists.
public struct PasswordHasher: Sendable {
    /// Argon2id cost parameters.
    public struct Parameters: Equatable, Sendable {
        /// Memory in KiB (`m`).
        public var memoryKiB: UInt32
        /// Passes over memory (`t`).
        public var iterations: UInt32
        /// Lanes (`p`).
        public var parallelism: UInt32
        /// Salt length in bytes.
        public var saltLength: Int
        /// Hash (tag) length in bytes.
        public var hashLength: Int

        /// OWASP's recommendation: m = 19 MiB, t = 2, p = 1, with a 16-byte salt and a 32-byte hash.
        public static let owasp = Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1, saltLength: 16, hashLength: 32)

        /// Parameters from their values.
        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, saltLength: Int = 16, hashLength: Int = 32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
            self.saltLength = saltLength
            self.hashLength = hashLength
        }
    }

    /// The largest `m` that `verify` will spend on a stored hash (1 GiB), so a corrupted or
    /// hostile row cannot make one login allocate without bound.
    public static let maximumMemoryKiB: UInt32 = 1 << 20
    /// The largest `t` and `p` that `verify` accepts in a stored hash, for the same reason
    /// (libargon2 starts one thread per lane).
    public static let maximumIterations: UInt32 = 64
    /// See `maximumIterations`.
    public static let maximumParallelism: UInt32 = 16

    /// The parameters new hashes are made with.
    public let parameters: Parameters
    private let dummy: DummyHash

    /// A hasher with `parameters` (OWASP's by default; tests may pass cheaper ones).
    public init(parameters: Parameters = .owasp) {
        self.parameters = parameters
        self.dummy = DummyHash()
    }

    /// A new encoded Argon2id hash of `password` with a fresh random salt.
    /// - Throws: `SecurityError` if no salt can be drawn or libargon2 fails (for example, out of memory).
    public func hash(password: String) throws(SecurityError) -> String {
        let p = parameters
        guard p.saltLength >= 8, p.hashLength >= 4, p.iterations >= 1, p.parallelism >= 1,
            p.memoryKiB >= 8 * p.parallelism
        else { throw .invalidParameters("Argon2id parameters below libargon2's minimums") }
        let salt = try SecureRandom.bytes(count: p.saltLength)
        let password = Array(password.utf8)
        let length = argon2_encodedlen(
            p.iterations, p.memoryKiB, p.parallelism,
            UInt32(p.saltLength), UInt32(p.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let status = password.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBuffer in
                argon2id_hash_encoded(
                    p.iterations, p.memoryKiB, p.parallelism,
                    pwd.baseAddress, pwd.count, saltBuffer.baseAddress, saltBuffer.count,
                    p.hashLength, &encoded, length)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw .passwordHashingFailed(String(cString: argon2_error_message(status)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`. A wrong password, a malformed or non-Argon2id
    /// string, or one whose costs exceed `maximumMemoryKiB`, `maximumIterations` or
    /// `maximumParallelism` all give `false`; nothing throws.
    public func verify(password: String, encoded: String) -> Bool {
        guard let stored = Argon2Encoded(encoded), stored.memoryKiB <= Self.maximumMemoryKiB,
            stored.iterations <= Self.maximumIterations, stored.parallelism <= Self.maximumParallelism
        else { return false }
        let password = Array(password.utf8)
        let status = password.withUnsafeBytes { pwd in
            argon2id_verify(encoded, pwd.baseAddress, pwd.count)
        }
        return status == ARGON2_OK.rawValue
    }

    /// Spends the time of one `verify` at this hasher's parameters and returns `false`.
    /// Call it when the user does not exist, so that case takes as long as a wrong password.
    ///
    /// The dummy hash is made once per hasher, on first use, under a lock; later calls only
    /// verify against it. It is the hash of random bytes, so no password can match it.
    public func verifyUnknownUser(password: String) -> Bool {
        verifyUnknownUser(password: password, using: verify(password:encoded:))
    }

    /// `verifyUnknownUser` with the verification passed in, so a test can see that it runs
    /// exactly one, against ``dummyHash``, and that its answer is ignored.
    func verifyUnknownUser(password: String, using verify: (_ password: String, _ encoded: String) -> Bool) -> Bool {
        guard let encoded = dummyHash else { return false }
        _ = verify(password, encoded)
        return false
    }

    /// The hash unknown users' passwords are verified against, made on first use: an
    /// Argon2id hash at `parameters` (same cost, salt and hash length as a real one).
    var dummyHash: String? { dummy.encoded(making: makeDummyHash) }

    /// Makes the dummy hash now rather than at the first unknown-user login, which would
    /// otherwise take about twice as long as later ones. Call it once per worker process at
    /// start-up (after fork). Returns `false` if it could not be made (it is retried on use).
    @discardableResult
    public func prepareDummyHash() -> Bool {
        dummyHash != nil
    }

    private func makeDummyHash() throws(SecurityError) -> String {
        try hash(password: Base64URL.encode(try SecureRandom.bytes(count: 32)))
    }

    /// Whether `encoded` should be replaced by a new hash on the next successful login: it is
    /// not an Argon2id v19 string, or its `m`, `t`, `p`, salt or hash length differ from `parameters`.
    public func needsRehash(encoded: String) -> Bool {
        guard let stored = Argon2Encoded(encoded) else { return true }
        return stored.version != 19
            || stored.memoryKiB != parameters.memoryKiB
            || stored.iterations != parameters.iterations
            || stored.parallelism != parameters.parallelism
            || stored.saltLength != parameters.saltLength
            || stored.hashLength != parameters.hashLength
    }
}

/// The dummy hash of one `PasswordHasher`, made lazily and once even under concurrent calls.
private final class DummyHash: Sendable {
    private let state = Mutex<String?>(nil)

    func encoded(making make: () throws(SecurityError) -> String) -> String? {
        state.withLock { (value: inout String?) -> String? in
            if let value { return value }
            value = try? make()
            return value
        }
    }
}
