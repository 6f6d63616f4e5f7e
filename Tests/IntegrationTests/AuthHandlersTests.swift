import Foundation
import Synchronization
import TestSupport
import Testing

/// `POST /api/v1/auth/register`, `/login`, `/token` and `/refresh` through nginx.
@Suite struct AuthHandlersTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    @Test func registerAnswers201WithTheUserAndNeverTheHash() throws {
        let name = AuthFixtures.uniqueName("Reg")
        let response = try fx.client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": name, "email": "\(name)@Example.COM", "password": AuthFixtures.password,
                "full_name": "  Ada Lovelace ", "agree_terms": true,
            ])
        #expect(response.status == 201)
        #expect(response.header("location") == "/api/v1/auth/me")
        #expect(response.json["username"] as? String == name.lowercased())
        #expect(response.json["email"] as? String == "\(name.lowercased())@example.com")
        #expect(response.json["full_name"] as? String == "Ada Lovelace")
        #expect(response.json["role"] as? String == "user")
        #expect(response.json["is_active"] as? Bool == true)
        #expect(response.json["id"] is Int)
        #expect(!response.text.contains("argon2"))
        #expect(!response.text.contains(AuthFixtures.password))
        #expect(response.json["password_hash"] == nil)
    }

    @Test func duplicateUsernameOrEmailIgnoringCaseIs409() throws {
        let account = try fx.register()
        let sameName = try fx.client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": account.username.uppercased(), "email": "other_\(account.username)@example.com",
                "password": AuthFixtures.password, "agree_terms": true,
            ])
        #expect(sameName.status == 409)
        #expect(sameName.header("content-type") == "application/problem+json")
        #expect((sameName.json["detail"] as? String)?.contains("username") == true)
        let sameEmail = try fx.client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": AuthFixtures.uniqueName(), "email": account.email.uppercased(),
                "password": AuthFixtures.password, "agree_terms": true,
            ])
        #expect(sameEmail.status == 409)
        #expect((sameEmail.json["detail"] as? String)?.contains("email") == true)
    }

    @Test func invalidRegistrationIs422ListingEveryField() throws {
        let response = try fx.client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": "a b", "email": "not-an-email", "password": "password", "agree_terms": false,
            ])
        #expect(response.status == 422)
        #expect(response.header("content-type") == "application/problem+json")
        let pointers = Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
        #expect(pointers == ["/username", "/email", "/password", "/agree_terms"])
    }

    @Test func registrationBodyErrors() throws {
        let missing = try fx.client.send("POST", "/api/v1/auth/register", json: ["username": "abc"])
        #expect(missing.status == 422)
        let malformed = try fx.client.send("POST", "/api/v1/auth/register", headers: ["Content-Type": "application/json"], body: Array("{".utf8))
        #expect(malformed.status == 400)
        let form = try fx.client.send("POST", "/api/v1/auth/register", headers: ["Content-Type": "text/plain"], body: Array("x".utf8))
        #expect(form.status == 415)
        let tooLongName = try fx.client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": String(repeating: "a", count: 51), "email": "x@example.com", "password": AuthFixtures.password, "agree_terms": true,
            ])
        #expect(tooLongName.status == 422)
    }

    @Test func loginByUsernameOrEmailInAnyCase() throws {
        let account = try fx.register()
        for identifier in [account.username, account.username.uppercased(), account.email.uppercased()] {
            let response = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": identifier, "password": account.password])
            #expect(response.status == 200)
            #expect(response.header("cache-control") == "no-store")
            let user = try #require(response.json["user"] as? [String: Any])
            #expect(user["id"] as? Int == account.id)
            let tokens = try #require(response.json["tokens"] as? [String: Any])
            #expect(tokens["token_type"] as? String == "bearer")
            #expect(tokens["expires_in"] as? Int == 30 * 60)
            let claims = try #require(AuthFixtures.claims(of: tokens["access_token"] as? String ?? ""))
            #expect(claims["sub"] as? String == String(account.id))
            #expect(claims["role"] as? String == "user")
            #expect(claims["iss"] as? String == "trademaster")
            #expect(claims["aud"] as? String == "trademaster-api")
            #expect(claims["jti"] is String && claims["sid"] is String)
            #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 30 * 60)
            #expect((tokens["refresh_token"] as? String)?.isEmpty == false)
        }
    }

    @Test func wrongPasswordAndUnknownUserAreTheSame401() throws {
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let wrong = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": "Wrong-Password-1"])
        let unknown = try fx.client.send(
            "POST", "/api/v1/auth/login", json: ["username": AuthFixtures.uniqueName("nobody"), "password": "Wrong-Password-1"])
        for response in [wrong, unknown] {
            #expect(response.status == 401)
            #expect(response.header("www-authenticate") == "Bearer")
            #expect(response.json["detail"] as? String == "Incorrect username or password.")
        }
        let missing = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username])
        #expect(missing.status == 422)
    }

    @Test func unknownUserCostsAboutAsMuchAsAWrongPassword() throws {
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        func seconds(_ username: String) throws -> Double {
            try fx.resetAddressThrottle()
            let start = Date()
            let response = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": username, "password": "Wrong-Password-1"])
            #expect(response.status == 401)
            return Date().timeIntervalSince(start)
        }
        var wrong: [Double] = []
        var unknown: [Double] = []
        for _ in 0..<4 {
            wrong.append(try seconds(account.username))
            unknown.append(try seconds(AuthFixtures.uniqueName("nobody")))
        }
        // Both run one Argon2id verification (tens of ms); without verifyUnknownUser the
        // unknown user would answer in about a millisecond.
        let ratio = unknown.sorted()[1] / wrong.sorted()[1]
        #expect((0.5...2.0).contains(ratio), "wrong \(wrong), unknown \(unknown)")
        #expect(unknown.min()! > 0.005)
    }

    @Test func oauthPasswordGrantAnswersPerRFC6749() throws {
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let form =
            "grant_type=password&username=\(account.username)&password=\(account.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let headers = ["Content-Type": "application/x-www-form-urlencoded"]
        let ok = try fx.client.send("POST", "/api/v1/auth/token", headers: headers, body: Array(form.utf8))
        #expect(ok.status == 200)
        #expect(ok.json["token_type"] as? String == "bearer")
        #expect(ok.json["expires_in"] as? Int == 1800)
        #expect(ok.json["access_token"] is String && ok.json["refresh_token"] is String)
        #expect(ok.header("cache-control") == "no-store")
        let me = try fx.client.send("GET", "/api/v1/auth/me", headers: ["Authorization": "Bearer \(ok.json["access_token"] as? String ?? "")"])
        #expect(me.status == 200)

        let wrong = try fx.client.send(
            "POST", "/api/v1/auth/token", headers: headers,
            body: Array("grant_type=password&username=\(account.username)&password=nope".utf8))
        #expect(wrong.status == 400)
        #expect(wrong.json["error"] as? String == "invalid_grant")
        let grant = try fx.client.send("POST", "/api/v1/auth/token", headers: headers, body: Array("grant_type=client_credentials".utf8))
        #expect(grant.json["error"] as? String == "unsupported_grant_type")
        let missing = try fx.client.send("POST", "/api/v1/auth/token", headers: headers, body: Array("username=x".utf8))
        #expect(missing.json["error"] as? String == "invalid_request")
        let json = try fx.client.send("POST", "/api/v1/auth/token", json: ["grant_type": "password"])
        #expect(json.status == 415)
    }

    @Test func refreshRotatesAndEachTokenWorksOnce() throws {
        let account = try fx.register()
        let first = try fx.login(account)
        let response = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": first.refresh])
        #expect(response.status == 200)
        let second = try AuthFixtures.tokens(from: response.json)
        #expect(second.sessionID == first.sessionID)
        #expect(second.refresh != first.refresh)
        #expect(second.access != first.access)
        #expect(response.json["token_type"] as? String == "bearer")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: second.bearer).status == 200)
        let third = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": second.refresh])
        #expect(third.status == 200)
    }

    @Test func reusingARotatedRefreshTokenRevokesTheSession() throws {
        let account = try fx.register()
        let first = try fx.login(account)
        let rotated = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": first.refresh])
        let second = try AuthFixtures.tokens(from: rotated.json)
        // The thief (or the victim) presents the used token again.
        let reuse = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": first.refresh])
        #expect(reuse.status == 401)
        #expect(reuse.header("www-authenticate") == "Bearer error=\"invalid_token\"")
        // The whole session is gone: its newest access and refresh tokens fail too.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: second.bearer).status == 401)
        #expect(try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": second.refresh]).status == 401)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: first.bearer).status == 401)
    }

    @Test func concurrentRefreshesWithOneTokenYieldOnePair() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let port = fx.stack.port
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let client = TestHTTPClient(port: port)
            let status = (try? client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh]).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        let all = statuses.withLock { $0 }
        // At most one caller wins the rotation. A claim did happen: at least one caller found
        // the token already used and revoked the session (an endpoint that refused everyone
        // would record no reuse). Every other caller got a 401.
        #expect(all.filter { $0 == 200 }.count <= 1)
        #expect(all.filter { $0 == 401 }.count >= 5)
        #expect(all.allSatisfy { $0 == 200 || $0 == 401 }, "\(all)")
        let reuses = try TestStack.run([
            "psql", fx.stack.databaseURL, "-tAc",
            "SELECT count(*) FROM audit_events WHERE event = 'refresh.reuse' AND details->>'session_id' = '\(tokens.sessionID)'",
        ])
        #expect((Int(reuses.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1, "\(reuses.output)")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 401)
    }

    @Test func unknownRefreshTokenIs401AndBadBodyIs422() throws {
        let response = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": "not-a-token"])
        #expect(response.status == 401)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh": "x"]).status == 422)
    }
}
