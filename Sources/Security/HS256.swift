#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JWS compact serialization with HMAC-SHA-256 (RFC 7515), independent of any claim set.
///
/// `alg` is pinned: a header whose `alg` is not exactly `HS256` is refused before any
/// signature is computed, so neither `none` nor a confusion with other algorithms can pass.
public enum HS256 {
    /// The longest token `verify` looks at (8 KiB), well above any token this service makes.
    public static let maximumTokenLength = 8192

    /// The compact token `base64url(header).base64url(payload).base64url(signature)` for the
    /// exact header and payload bytes given.
    public static func sign(header: [UInt8], payload: [UInt8], key: [UInt8]) -> String {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return signingInput + "." + Base64URL.encode(HMAC.sha256(key: key, message: Array(signingInput.utf8)))
    }

    /// Checks the structure, the pinned `alg` and the signature (in constant time) against each
    /// key in order, and returns the decoded header and payload bytes. Claims are not looked at.
    /// - Throws: `JWTError` for a malformed token, a wrong algorithm or a bad signature.
    public static func verify(_ token: String, keys: [[UInt8]]) throws(JWTError) -> (header: [UInt8], payload: [UInt8]) {
        guard token.utf8.count <= maximumTokenLength else { throw .tokenTooLong }
        // Bytes, not Characters: a token is ASCII, and splitting by grapheme was a tenth of
        // the /auth/me hot path (perf). Anything else fails the base64url decoding below.
        let bytes = Array(token.utf8)
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else { throw .wrongSegmentCount(dots.count + 1) }
        let headerBytes = bytes[..<dots[0]]
        let payloadBytes = bytes[(dots[0] + 1)..<dots[1]]
        let signatureBytes = bytes[(dots[1] + 1)...]
        guard let header = Base64URL.decode(bytes: headerBytes) else { throw .invalidBase64URL(.header) }
        try checkAlgorithm(header)
        guard let signature = Base64URL.decode(bytes: signatureBytes) else { throw .invalidBase64URL(.signature) }
        let signingInput = Array(bytes[..<dots[1]])
        var matched = false
        for key in keys where !matched {
            matched = constantTimeEquals(HMAC.sha256(key: key, message: signingInput), signature)
        }
        guard matched else { throw .invalidSignature }
        guard let payload = Base64URL.decode(bytes: payloadBytes) else { throw .invalidBase64URL(.payload) }
        return (header, payload)
    }

    private struct Header: Decodable {
        var alg: String?
        var hasCritical: Bool

        private enum CodingKeys: String, CodingKey { case alg, crit }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            alg = try container.decodeIfPresent(String.self, forKey: .alg)
            hasCritical = container.contains(.crit)
        }
    }

    /// The header this service signs with (``JWTSigner``): a token carrying exactly these
    /// bytes needs no JSON decoding to know its algorithm.
    public static let standardHeader = Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)

    private static func checkAlgorithm(_ header: [UInt8]) throws(JWTError) {
        if header == standardHeader { return }
        let decoded: Header
        do {
            decoded = try JSONDecoder().decode(Header.self, from: Data(header))
        } catch {
            throw .invalidJSON(.header)  // not JSON, not an object, or `alg` not a string
        }
        guard let alg = decoded.alg else { throw .missingAlgorithm }
        if alg.lowercased() == "none" { throw .algorithmNone }
        guard alg == "HS256" else { throw .unsupportedAlgorithm(alg) }
        guard !decoded.hasCritical else { throw .criticalHeaderUnsupported }
    }
}
