import Foundation
import Handlers
import Models
import Security
import TMFcgi
import TestSupport
import Testing

@testable import PostgresClient
@testable import RedisClient

/// ``Authenticator`` in-process against the test stack's Redis: key rotation with
/// SECRET_KEY_PREVIOUS, and the role coming from the session rather than the token.
@Suite struct AuthenticatorTests {
    let redis: Redis
    let sessions: SessionStore
    let apiKeys: APIKeyStore
    static let oldKey = Array("old-key-0123456789abcdef0123456789abcdef".utf8)
    static let newKey = Array("new-key-0123456789abcdef0123456789abcdef".utf8)

    init() throws {
        let stack = try TestStack.current()
        redis = Redis(endpoint: try #require(RedisEndpoint(url: stack.redisURL)))
        sessions = SessionStore(redis: redis, maximumLifetime: 3600)
        apiKeys = APIKeyStore(database: Database(url: stack.databaseURL))
    }

    func request(_ token: String) -> Request {
        Request(method: .get, path: "/api/v1/auth/me", headers: HTTPHeaders([("Authorization", "Bearer \(token)")]))
    }

    func token(key: [UInt8], userID: Int64, sessionID: String, role: Role) throws -> String {
        let signer = try JWTSigner(currentKey: key, issuer: API.tokenIssuer, audience: API.tokenAudience)
        return signer.sign(try signer.makeClaims(subject: String(userID), sessionID: sessionID, role: role.rawValue, lifetime: 300))
    }

    @Test func tokensSignedWithThePreviousKeyStayValidUntilTheyExpire() throws {
        let userID = Int64.random(in: 1_000_000...9_000_000)
        let (session, _) = try sessions.create(userID: userID, role: .user, clientAddress: "127.0.0.1", userAgent: "test", lifetime: 60)
        defer { _ = try? sessions.revoke(id: session.id) }
        let old = try token(key: Self.oldKey, userID: userID, sessionID: session.id, role: .user)

        let rotated = Authenticator(
            signer: try JWTSigner(
                currentKey: Self.newKey, previousKey: Self.oldKey,
                issuer: API.tokenIssuer, audience: API.tokenAudience),
            sessions: sessions, apiKeys: apiKeys)
        let principal = try rotated.authenticate(request(old))
        #expect(principal.userID == userID)
        #expect(principal.sessionID == session.id)

        let withoutPrevious = Authenticator(
            signer: try JWTSigner(currentKey: Self.newKey, issuer: API.tokenIssuer, audience: API.tokenAudience),
            sessions: sessions, apiKeys: apiKeys)
        #expect(throws: Problem.self) { try withoutPrevious.authenticate(request(old)) }
    }

    @Test func theRoleComesFromTheSessionNotTheToken() throws {
        let userID = Int64.random(in: 1_000_000...9_000_000)
        let (session, _) = try sessions.create(userID: userID, role: .viewer, clientAddress: "127.0.0.1", userAgent: "test", lifetime: 60)
        defer { _ = try? sessions.revoke(id: session.id) }
        let authenticator = Authenticator(
            signer: try JWTSigner(currentKey: Self.newKey, issuer: API.tokenIssuer, audience: API.tokenAudience),
            sessions: sessions, apiKeys: apiKeys)
        let principal = try authenticator.authenticate(request(try token(key: Self.newKey, userID: userID, sessionID: session.id, role: .admin)))
        #expect(principal.role == .viewer)
        try sessions.publish(userID: userID, version: 5, role: .analyst, profile: #"{"v":5}"#)
        let again = try authenticator.authenticate(request(try token(key: Self.newKey, userID: userID, sessionID: session.id, role: .admin)))
        #expect(again.role == .analyst)
        #expect(again.cachedProfile == #"{"v":5}"#)
        // An older snapshot arriving late does not overwrite a newer one.
        try sessions.publish(userID: userID, version: 4, role: .admin, profile: #"{"v":4}"#)
        let late = try authenticator.authenticate(request(try token(key: Self.newKey, userID: userID, sessionID: session.id, role: .admin)))
        #expect(late.role == .analyst)
        #expect(late.cachedProfile == #"{"v":5}"#)
    }

    @Test func refreshRotationDetectsReuse() throws {
        let userID = Int64.random(in: 1_000_000...9_000_000)
        let (session, first) = try sessions.create(userID: userID, role: .user, clientAddress: "127.0.0.1", userAgent: "test", lifetime: 60)
        guard case .rotated(_, let second) = try sessions.rotate(refreshToken: first) else {
            Issue.record("first rotation failed")
            return
        }
        guard case .reused(let revoked) = try sessions.rotate(refreshToken: first) else {
            Issue.record("reuse not detected")
            return
        }
        #expect(revoked?.id == session.id)
        #expect(try sessions.find(id: session.id) == nil)
        guard case .invalid = try sessions.rotate(refreshToken: second) else {
            Issue.record("the successor of a reused token must not work")
            return
        }
        #expect(try sessions.list(userID: userID).isEmpty)
    }
}
