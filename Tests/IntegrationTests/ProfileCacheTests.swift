import Foundation
import Synchronization
import TestSupport
import Testing

/// `GET /auth/me` answers from the profile cached in the session (one Redis round trip); these
/// check that the cache never shows anything but the newest state of the user row.
@Suite(.serialized) struct ProfileCacheTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    func row(_ id: Int, _ column: String) throws -> String {
        let result = try TestStack.run(["psql", fx.stack.databaseURL, "-tAc", "SELECT \(column) FROM users WHERE id = \(id)"])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func concurrentProfileChangesLeaveTheNewestInEverySession() throws {
        let account = try fx.register()
        let first = try fx.login(account)
        let second = try fx.login(account)
        let port = fx.stack.port
        DispatchQueue.concurrentPerform(iterations: 12) { index in
            _ = try? TestHTTPClient(port: port).send("PATCH", "/api/v1/auth/me", headers: first.bearer, json: ["full_name": "Name \(index)"])
        }
        let stored = try row(account.id, "full_name")
        let version = try row(account.id, "version")
        for tokens in [first, second] {
            let me = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
            #expect(me.status == 200)
            #expect(me.json["full_name"] as? String == stored)
            #expect((me.json["version"] as? Int).map(String.init) == version)
        }
    }

    @Test func aLoginElsewhereAndARoleChangeShowAtOnce() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let tokens = try fx.login(account)
        let before = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        Thread.sleep(forTimeInterval: 1.1)  // last_login_at has one-second resolution in the answer
        _ = try fx.login(account)
        let after = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(after.json["last_login_at"] as? String != before.json["last_login_at"] as? String)
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "analyst"]).status == 200)
        let promoted = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(promoted.json["role"] as? String == "analyst")
        #expect(promoted.header("cache-control") == "no-store")
        // The answer is the same document an API key (read from PostgreSQL) gets.
        let key = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "k"])
        let viaKey = try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": try #require(key.json["key"] as? String)])
        let viaSession = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(viaKey.text == viaSession.text)
    }
}
