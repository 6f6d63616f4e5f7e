/// A personal API key: `tmk_` followed by 32 random bytes in base64url (43 characters).
///
/// Only `hashHex` (SHA-256 of the whole key, hex) is stored; the plaintext is shown to the
/// user once. `prefix`, the first 8 characters after `tmk_`, is stored and shown so the user
/// can recognise the key in a list. `description` never includes the plaintext.
public struct APIKey: Sendable, CustomStringConvertible {
    /// The marker every key starts with.
    public static let scheme = "tmk_"
    /// Random bytes per key.
    public static let randomByteCount = 32
    /// Characters of the key id shown to the user.
    public static let prefixLength = 8

    /// The full key, to be given to the user once and never stored or logged.
    public let plaintext: String
    /// The key id: the first 8 characters after `tmk_`.
    public let prefix: String
    /// The SHA-256 of the key's UTF-8 bytes in lower-case hex: what the database keeps.
    public let hashHex: String

    /// A new random key.
    /// - Throws: `SecurityError.randomGenerationFailed` if the CSPRNG fails.
    public static func generate() throws(SecurityError) -> APIKey {
        let plaintext = scheme + Base64URL.encode(try SecureRandom.bytes(count: randomByteCount))
        return APIKey(plaintext: plaintext, prefix: prefix(of: plaintext) ?? "", hashHex: hash(plaintext))
    }

    /// The stored form of `key`: SHA-256 of its UTF-8 bytes, lower-case hex.
    public static func hash(_ key: String) -> String {
        Hex.encode(SHA256.hash(key))
    }

    /// The key id of `key`, or `nil` if it is not shaped like a key (see `isWellFormed`).
    public static func prefix(of key: String) -> String? {
        guard isWellFormed(key) else { return nil }
        return String(key.dropFirst(scheme.count).prefix(prefixLength))
    }

    /// Whether `key` is `tmk_` plus the base64url text of exactly 32 bytes: a cheap check
    /// before any lookup.
    public static func isWellFormed(_ key: String) -> Bool {
        guard key.hasPrefix(scheme), let bytes = Base64URL.decode(String(key.dropFirst(scheme.count))) else {
            return false
        }
        return bytes.count == randomByteCount
    }

    /// Shows the key id only.
    public var description: String { "APIKey(\(Self.scheme)\(prefix)…)" }
}
