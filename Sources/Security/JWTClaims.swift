/// The claims of an access token. All are required; times are seconds since the Unix epoch.
public struct JWTClaims: Codable, Equatable, Sendable {
    /// Issuer: who made the token.
    public var iss: String
    /// Audience: who the token is for.
    public var aud: String
    /// Subject: the user id.
    public var sub: String
    /// Session id, so a logout or revocation (in Redis) ends every token of the session.
    public var sid: String
    /// Token id, unique per token.
    public var jti: String
    /// The user's role name (see `Models.Role`).
    public var role: String
    /// Issued at.
    public var iat: Int64
    /// Expires at: the token is refused from this second on.
    public var exp: Int64

    /// Claims from their values.
    public init(iss: String, aud: String, sub: String, sid: String, jti: String, role: String, iat: Int64, exp: Int64) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.sid = sid
        self.jti = jti
        self.role = role
        self.iat = iat
        self.exp = exp
    }

    private enum CodingKeys: String, CodingKey { case iss, aud, sub, sid, jti, role, iat, exp }

    /// Decodes the claims; `iat` and `exp` must be whole numbers of seconds within ±2⁵³.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decode(String.self, forKey: .iss)
        aud = try c.decode(String.self, forKey: .aud)
        sub = try c.decode(String.self, forKey: .sub)
        sid = try c.decode(String.self, forKey: .sid)
        jti = try c.decode(String.self, forKey: .jti)
        role = try c.decode(String.self, forKey: .role)
        iat = try Self.decodeSeconds(c, .iat)
        exp = try Self.decodeSeconds(c, .exp)
    }

    // Foundation's decoder reports a fractional number read as Int64 as invalid JSON without
    // naming the key, so read a Double (exact for these magnitudes) and check it is whole.
    private static func decodeSeconds(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int64 {
        let value = try c.decode(Double.self, forKey: key)
        guard value.rounded(.towardZero) == value, abs(value) <= 9_007_199_254_740_992 else {
            throw DecodingError.typeMismatch(
                Int64.self,
                .init(
                    codingPath: c.codingPath + [key],
                    debugDescription: "not a whole number of seconds"))
        }
        return Int64(value)
    }
}
