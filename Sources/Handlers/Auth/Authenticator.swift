import Models
import Security
import TMFcgi

/// Turns a request's credentials into a ``Principal``: an HS256 access token whose session is
/// live in Redis, or a personal API key (`Authorization: Bearer tmk_…` or `X-API-Key`).
/// Fails closed: Redis or PostgreSQL unreachable is a 503, never a pass.
public struct Authenticator: Sendable {
    let signer: JWTSigner
    let sessions: SessionStore
    let apiKeys: APIKeyStore

    /// An authenticator over these stores.
    public init(signer: JWTSigner, sessions: SessionStore, apiKeys: APIKeyStore) {
        self.signer = signer
        self.sessions = sessions
        self.apiKeys = apiKeys
    }

    /// The caller of `request`; a 401 problem when there are no valid credentials.
    public func authenticate(_ request: Request) throws -> Principal {
        if let key = request.headers["X-API-Key"] {
            guard request.headers["Authorization"] == nil else { throw AuthProblem.ambiguousCredentials }
            return try authenticate(apiKey: key.trimmingSpaces)
        }
        guard let header = request.headers["Authorization"] else { throw AuthProblem.missingCredentials }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AuthProblem.invalidToken("Use the Bearer authentication scheme.")
        }
        let token = String(parts[1]).trimmingSpaces
        if token.hasPrefix(APIKey.scheme) { return try authenticate(apiKey: token) }
        return try authenticate(accessToken: token)
    }

    /// The caller of a bearer access token.
    public func authenticate(accessToken token: String) throws -> Principal {
        let claims: JWTClaims
        do {
            claims = try signer.verify(token)
        } catch {
            throw AuthProblem.invalidToken(error == .expired ? "The access token has expired." : "The access token is invalid.")
        }
        guard let userID = Int64(claims.sub), let session = try sessions.check(id: claims.sid, userID: userID) else {
            throw AuthProblem.invalidToken("The session of this access token has ended.")
        }
        return Principal(userID: userID, role: session.role, credential: .session(sessionID: claims.sid), cachedProfile: session.profile)
    }

    /// The owner of a personal API key.
    public func authenticate(apiKey key: String) throws -> Principal {
        guard APIKey.isWellFormed(key), let owner = try apiKeys.authenticate(key: key) else {
            throw AuthProblem.invalidToken("The API key is invalid, expired or revoked.")
        }
        return Principal(userID: owner.userID, role: owner.role, credential: .apiKey(keyID: owner.keyID))
    }
}
