#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signs and verifies HS256 access tokens for one issuer and audience.
///
/// Key rotation: tokens are signed with `currentKey` (`SECRET_KEY`); verification accepts the
/// current key and then `previousKey` (`SECRET_KEY_PREVIOUS`), so tokens issued before a
/// rotation stay valid until they expire. The keys never appear in `description`.
public struct JWTSigner: Sendable, CustomStringConvertible {
    /// The shortest accepted key: 32 bytes, the HMAC-SHA-256 output size (RFC 7518 §3.2).
    public static let minimumKeyLength = 32

    private let currentKey: [UInt8]
    private let previousKey: [UInt8]?
    /// The `iss` this service writes and requires.
    public let issuer: String
    /// The `aud` this service writes and requires.
    public let audience: String
    /// Seconds a token is still accepted after `exp` (default 0).
    public let leeway: Int64
    /// Seconds `iat` may lie in the future, for clock skew between hosts (default 60).
    public let maxIssuedAtSkew: Int64

    /// A signer; keys are raw bytes (for a secret from the environment, its UTF-8 bytes).
    /// - Throws: `JWTError.keyTooShort` if a key is shorter than `minimumKeyLength`.
    public init(
        currentKey: [UInt8], previousKey: [UInt8]? = nil, issuer: String, audience: String,
        leeway: Int64 = 0, maxIssuedAtSkew: Int64 = 60
    ) throws(JWTError) {
        guard currentKey.count >= Self.minimumKeyLength,
            (previousKey?.count ?? Self.minimumKeyLength) >= Self.minimumKeyLength
        else { throw .keyTooShort }
        self.currentKey = currentKey
        self.previousKey = previousKey
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.maxIssuedAtSkew = maxIssuedAtSkew
    }

    /// Describes the signer without its keys.
    public var description: String {
        "JWTSigner(issuer: \(issuer), audience: \(audience), previousKey: \(previousKey == nil ? "no" : "yes"))"
    }

    /// Claims for a new token of this issuer and audience with a fresh random `jti`.
    /// - Throws: `SecurityError.randomGenerationFailed` if no random `jti` can be made.
    public func makeClaims(
        subject: String, sessionID: String, role: String, lifetime: Int64,
        now: Int64 = UnixTime.now()
    ) throws(SecurityError) -> JWTClaims {
        JWTClaims(
            iss: issuer, aud: audience, sub: subject, sid: sessionID,
            jti: Base64URL.encode(try SecureRandom.bytes(count: 16)),
            role: role, iat: now, exp: now + lifetime)
    }

    /// The compact HS256 token for `claims`, signed with the current key.
    public func sign(_ claims: JWTClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do {
            payload = try encoder.encode(claims)
        } catch {
            preconditionFailure("JSONEncoder cannot fail on JWTClaims")
        }
        return HS256.sign(header: HS256.standardHeader, payload: Array(payload), key: currentKey)
    }

    /// The claims of `token` if it is a well-formed HS256 JWS signed with the current or the
    /// previous key, issued by `issuer` for `audience`, not expired and not issued in the future.
    /// - Throws: the `JWTError` naming the first check that failed.
    public func verify(_ token: String, now: Int64 = UnixTime.now()) throws(JWTError) -> JWTClaims {
        let keys = [currentKey] + (previousKey.map { [$0] } ?? [])
        let payload = try HS256.verify(token, keys: keys).payload
        let claims = try Self.decodeClaims(payload)
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud == audience else { throw .wrongAudience }
        guard claims.exp > now - leeway else { throw .expired }
        guard claims.iat <= now + maxIssuedAtSkew else { throw .issuedInFuture }
        return claims
    }

    static func decodeClaims(_ payload: [UInt8]) throws(JWTError) -> JWTClaims {
        if let claims = JWTClaims.parsePlain(payload) { return claims }
        do {
            return try JSONDecoder().decode(JWTClaims.self, from: Data(payload))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .missingClaim(key.stringValue)
        } catch let DecodingError.typeMismatch(_, context),
            let DecodingError.valueNotFound(_, context),
            let DecodingError.dataCorrupted(context)
        {
            // An empty coding path means the payload itself is not a JSON object.
            guard let key = context.codingPath.first else { throw .invalidJSON(.payload) }
            throw .invalidClaimType(key.stringValue)
        } catch {
            throw .invalidJSON(.payload)
        }
    }
}
