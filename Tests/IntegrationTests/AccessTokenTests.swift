import Foundation
import Security
import TestSupport
import Testing

/// Access tokens through nginx: every way a token can be wrong is a 401 with
/// `WWW-Authenticate`, and only a live session makes a well-signed token work. Tokens are
/// forged here with the pool's SECRET_KEY from the stack's env file.
@Suite struct AccessTokenTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    /// Claims for `account`'s session that the pool would accept, with `change` applied.
    func claims(_ userID: Int, _ sid: String, _ change: (inout JWTClaims) -> Void = { _ in }) -> JWTClaims {
        let now = Int64(Date().timeIntervalSince1970)
        var claims = JWTClaims(
            iss: "trademaster", aud: "trademaster-api", sub: String(userID), sid: sid,
            jti: UUID().uuidString, role: "user", iat: now, exp: now + 600)
        change(&claims)
        return claims
    }

    func sign(_ claims: JWTClaims, key: String? = nil, header: String = #"{"alg":"HS256","typ":"JWT"}"#) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return HS256.sign(header: Array(header.utf8), payload: Array(try encoder.encode(claims)), key: Array((try key ?? fx.secretKey()).utf8))
    }

    func me(_ token: String) throws -> TestResponse {
        try fx.client.send("GET", "/api/v1/auth/me", headers: ["Authorization": "Bearer \(token)"])
    }

    func expectInvalidToken(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 401, sourceLocation: sourceLocation)
        #expect(response.header("www-authenticate") == "Bearer error=\"invalid_token\"", sourceLocation: sourceLocation)
        #expect(response.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
    }

    @Test func aForgedTokenWithTheRightKeyAndALiveSessionWorks() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let response = try me(try sign(claims(account.id, tokens.sessionID)))
        #expect(response.status == 200)
        #expect(response.json["id"] as? Int == account.id)
    }

    @Test func noCredentialsIs401WithBareChallenge() throws {
        let response = try fx.client.send("GET", "/api/v1/auth/me")
        #expect(response.status == 401)
        #expect(response.header("www-authenticate") == "Bearer")
        expectInvalidToken(try fx.client.send("GET", "/api/v1/auth/me", headers: ["Authorization": "Basic dXNlcjpwYXNz"]))
    }

    @Test func tamperedPayloadIsRefused() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let parts = tokens.access.split(separator: ".").map(String.init)
        var payload = try #require(AuthFixtures.claims(of: tokens.access))
        payload["role"] = "admin"
        let forged = parts[0] + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: payload)) + "." + parts[2]
        expectInvalidToken(try me(forged))
        // Flipping one signature character is refused too.
        var signature = Array(parts[2])
        signature[5] = signature[5] == "A" ? "B" : "A"
        expectInvalidToken(try me(parts[0] + "." + parts[1] + "." + String(signature)))
        #expect(try me(tokens.access).status == 200)
    }

    @Test func expiredTokenIsRefused() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let token = try sign(
            claims(account.id, tokens.sessionID) {
                $0.iat -= 3600
                $0.exp = $0.iat + 1800
            })
        let response = try me(token)
        expectInvalidToken(response)
        #expect(response.json["detail"] as? String == "The access token has expired.")
    }

    @Test func algNoneAndOtherAlgorithmsAreRefused() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let payload = Base64URL.encode(try JSONEncoder().encode(claims(account.id, tokens.sessionID)))
        for alg in ["none", "None", "NONE"] {
            let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
            expectInvalidToken(try me("\(header).\(payload)."))
        }
        expectInvalidToken(try me(try sign(claims(account.id, tokens.sessionID), header: #"{"alg":"HS512","typ":"JWT"}"#)))
        expectInvalidToken(try me(try sign(claims(account.id, tokens.sessionID), header: #"{"alg":"RS256","typ":"JWT"}"#)))
    }

    @Test func wrongKeyAudienceOrIssuerIsRefused() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        expectInvalidToken(try me(try sign(claims(account.id, tokens.sessionID), key: String(repeating: "k", count: 64))))
        expectInvalidToken(try me(try sign(claims(account.id, tokens.sessionID) { $0.aud = "someone-else" })))
        expectInvalidToken(try me(try sign(claims(account.id, tokens.sessionID) { $0.iss = "evil" })))
    }

    @Test func malformedTokensAreRefused() throws {
        for token in ["abc", "a.b", "a.b.c.d", "....", "eyJhbGciOiJIUzI1NiJ9.e30."] {
            expectInvalidToken(try me(token))
        }
    }

    @Test func aValidSignatureWithoutALiveSessionIsRefused() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        expectInvalidToken(try me(try sign(claims(account.id, "no-such-session"))))
        // Someone else's user id on this session.
        let other = try fx.register()
        expectInvalidToken(try me(try sign(claims(other.id, tokens.sessionID))))
    }
}
