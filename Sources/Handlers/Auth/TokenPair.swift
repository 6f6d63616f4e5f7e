/// An access token and its refresh token, as login and refresh return them (RFC 6749 §5.1
/// field names).
public struct TokenPair: Codable, Sendable {
    /// The HS256 JWT for `Authorization: Bearer`.
    public let accessToken: String
    /// The opaque, single-use refresh token.
    public let refreshToken: String
    /// Always `bearer`.
    public let tokenType = "bearer"
    /// Seconds until the access token expires.
    public let expiresIn: Int64

    private enum CodingKeys: String, CodingKey { case accessToken, refreshToken, tokenType, expiresIn }
}
