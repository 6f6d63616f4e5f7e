/// Why a JWT was refused. Each case is distinct so callers and tests can tell them apart;
/// none carries key material or the token itself, so any case may be logged.
public enum JWTError: Error, Equatable, Sendable {
    /// A part of a compact JWS.
    public enum Segment: String, Sendable { case header, payload, signature }

    /// A key shorter than `JWTSigner.minimumKeyLength` bytes.
    case keyTooShort
    /// The token is longer than `HS256.maximumTokenLength` bytes; nothing else was looked at.
    case tokenTooLong
    /// The token does not have exactly three dot-separated segments.
    case wrongSegmentCount(Int)
    /// A segment is not unpadded base64url.
    case invalidBase64URL(Segment)
    /// The header or payload is not a JSON object.
    case invalidJSON(Segment)
    /// The header has no string `alg`.
    case missingAlgorithm
    /// The header says `alg: none` (in any letter case): unsigned tokens are never accepted.
    case algorithmNone
    /// The header names an algorithm other than the pinned `HS256`.
    case unsupportedAlgorithm(String)
    /// The header has a `crit` member: no JWS extension is supported, so RFC 7515 §4.1.11
    /// requires the token to be refused.
    case criticalHeaderUnsupported
    /// The signature matches neither the current nor the previous key.
    case invalidSignature
    /// A required claim is absent.
    case missingClaim(String)
    /// A claim has the wrong JSON type (for example `exp` as a string).
    case invalidClaimType(String)
    /// `exp` is at or before now (allowing the configured leeway).
    case expired
    /// `iat` is further in the future than the allowed clock skew.
    case issuedInFuture
    /// `aud` is not this service's audience.
    case wrongAudience
    /// `iss` is not this service's issuer.
    case wrongIssuer
}
