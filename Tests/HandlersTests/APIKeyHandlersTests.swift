import Foundation
import TestSupport
import Testing

/// Personal API keys in-process.
@Suite(.inProcess("apikeys")) struct APIKeyHandlersTests {
    let fx: AuthFixtures
    init() throws { fx = try InProcessApp.suite().fixtures }

    @Test func createdKeyIsShownOnceAndAuthenticatesBothWays() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "ci"])
        #expect(created.status == 201)
        let key = try #require(created.json["key"] as? String)
        let id = try #require(created.json["id"] as? Int)
        #expect(key.hasPrefix("tmk_"))
        #expect(created.json["prefix"] as? String == String(key.dropFirst(4).prefix(8)))
        #expect(created.header("location") == "/api/v1/auth/api-keys/\(id)")

        let bearer = try fx.client.send("GET", "/api/v1/auth/me", headers: ["Authorization": "Bearer \(key)"])
        #expect(bearer.status == 200)
        #expect(bearer.json["id"] as? Int == account.id)
        let header = try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key])
        #expect(header.status == 200)

        let list = try fx.client.send("GET", "/api/v1/auth/api-keys", headers: tokens.bearer)
        #expect(list.status == 200)
        let items = try #require(list.json["items"] as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items.first?["name"] as? String == "ci")
        #expect(items.first?["last_used_at"] is String)
        #expect(!list.text.contains(key))
        #expect(items.first?["key"] == nil)
    }

    @Test func revokingTakesEffectAtOnce() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "temp"])
        let key = try #require(created.json["key"] as? String)
        let id = try #require(created.json["id"] as? Int)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key]).status == 200)
        #expect(try fx.client.send("DELETE", "/api/v1/auth/api-keys/\(id)", headers: tokens.bearer).status == 204)
        let after = try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key])
        #expect(after.status == 401)
        #expect(after.header("www-authenticate") == "Bearer error=\"invalid_token\"")
        #expect(try fx.client.send("DELETE", "/api/v1/auth/api-keys/\(id)", headers: tokens.bearer).status == 404)
        let list = try fx.client.send("GET", "/api/v1/auth/api-keys", headers: tokens.bearer)
        #expect((list.json["items"] as? [Any])?.isEmpty == true)
    }

    @Test func anotherUsersKeyIs404() throws {
        let owner = try fx.login(try fx.register())
        let other = try fx.login(try fx.register())
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: owner.bearer, json: ["name": "mine"])
        let id = try #require(created.json["id"] as? Int)
        #expect(try fx.client.send("DELETE", "/api/v1/auth/api-keys/\(id)", headers: other.bearer).status == 404)
        #expect(try fx.client.send("DELETE", "/api/v1/auth/api-keys/abc", headers: other.bearer).status == 404)
    }

    @Test func badInputsAndKeyLimits() throws {
        let tokens = try fx.login(try fx.register())
        let noName = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "  "])
        #expect(noName.status == 422)
        let past = try fx.client.send(
            "POST", "/api/v1/auth/api-keys", headers: tokens.bearer,
            json: ["name": "old", "expires_at": "2001-01-01T00:00:00Z"])
        #expect(past.status == 422)
        #expect((past.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/expires_at")
        let badDate = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "x", "expires_at": "soon"])
        #expect(badDate.status == 422)
        #expect((badDate.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/expires_at")
        // A key cannot mint more keys.
        let created = try fx.client.send(
            "POST", "/api/v1/auth/api-keys", headers: tokens.bearer,
            json: ["name": "future", "expires_at": "2999-01-01T00:00:00Z"])
        #expect(created.status == 201)
        let key = try #require(created.json["key"] as? String)
        #expect(try fx.client.send("POST", "/api/v1/auth/api-keys", headers: ["X-API-Key": key], json: ["name": "more"]).status == 403)
        // Malformed and unknown keys.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": "tmk_short"]).status == 401)
        // Two credentials, even two good ones of two users, are refused, not served as one.
        let (_, other) = try fx.account()
        let both = try fx.client.send("GET", "/api/v1/auth/me", headers: other.merging(["X-API-Key": key]) { $1 })
        #expect(both.status == 400 && both.header("content-type") == "application/problem+json", "\(both.text)")
        #expect(both.json["type"] as? String == "/problems/ambiguous-credentials")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": "tmk_" + String(repeating: "A", count: 43)]).status == 401)
        #expect(try fx.client.send("POST", "/api/v1/auth/api-keys", json: ["name": "anon"]).status == 401)
    }
}
