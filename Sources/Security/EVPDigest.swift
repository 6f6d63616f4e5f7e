internal import COpenSSL

/// One-shot digests through OpenSSL's EVP interface: the one place ``SHA256`` and ``MD5``
/// call into OpenSSL.
enum EVPDigest {
    /// The `byteCount`-byte digest of `bytes` by `algorithm` (`EVP_sha256()`, `EVP_md5()`).
    static func hash<Bytes: Collection>(_ bytes: Bytes, algorithm: OpaquePointer?, byteCount: Int, name: String) -> [UInt8]
    where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { inputBuffer in
            digest.withUnsafeMutableBytes { out in
                EVP_Digest(
                    inputBuffer.baseAddress, inputBuffer.count,
                    out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, algorithm, nil)
            }
        }
        // EVP_Digest fails only when OpenSSL itself is broken (out of memory, no provider).
        precondition(ok == 1 && length == UInt32(byteCount), "EVP_Digest(\(name)) failed")
        return digest
    }
}
