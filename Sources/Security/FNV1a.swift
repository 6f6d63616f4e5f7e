/// FNV-1a, 64 bit: a fast fingerprint to notice that bytes changed (an edited migration,
/// an upload's integrity in tests). Not a security measure: anyone can make collisions.
public struct FNV1a: Sendable {
    /// The hash of the bytes so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of no bytes.
    public init() {}

    /// Adds `bytes` (streaming: feeding chunks gives the hash of their concatenation).
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        value = hash
    }

    /// The hash of `bytes`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var fnv = FNV1a()
        fnv.update(bytes)
        return fnv.value
    }

    /// `value` in lower-case hex without leading zeros (the form stored in `schema_migrations`).
    public var hex: String { String(value, radix: 16) }
}
