internal import COpenSSL

/// HMAC (RFC 2104) through OpenSSL.
public enum HMAC {
    /// HMAC-SHA-256 of `message` under `key`: 32 bytes.
    public static func sha256<Key: Collection, Message: Collection>(key: Key, message: Message) -> [UInt8]
    where Key.Element == UInt8, Message.Element == UInt8 {
        // A one-byte buffer stands in for an empty key or message so OpenSSL never sees NULL.
        let keyBytes = key.isEmpty ? [0] : Array(key)
        let messageBytes = message.isEmpty ? [0] : Array(message)
        let keyCount = key.count
        let messageCount = message.count
        var mac = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBytes { messageBuffer in
                mac.withUnsafeMutableBytes { out in
                    COpenSSL.HMAC(
                        EVP_sha256(), keyBuffer.baseAddress, Int32(keyCount),
                        messageBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), messageCount,
                        out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
                }
            }
        }
        precondition(result != nil && length == UInt32(SHA256.byteCount), "HMAC-SHA-256 failed")
        return mac
    }
}
