internal import COpenSSL

/// MD5 (RFC 1321) through OpenSSL's EVP interface. Only for what requires it: nginx's
/// `secure_link_md5`, which signs real-time subscribe URLs with MD5 over a text that ends in
/// a secret key. Never use it for anything new.
public enum MD5 {
    /// The digest length in bytes.
    public static let byteCount = 16

    /// The 16-byte MD5 digest of `bytes`.
    public static func hash<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        EVPDigest.hash(bytes, algorithm: EVP_md5(), byteCount: byteCount, name: "MD5")
    }
}
