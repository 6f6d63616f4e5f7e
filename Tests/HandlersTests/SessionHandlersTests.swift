import Foundation
import TestSupport
import Testing

/// `GET /api/v1/auth/sessions` and `DELETE /api/v1/auth/sessions/:id` in-process.
@Suite(.inProcess("sessions")) struct SessionHandlersTests {
    let fx: AuthFixtures
    init() throws { fx = try InProcessApp.suite().fixtures }

    @Test func listsTheCallersSessionsMarkingTheCurrentOne() throws {
        let account = try fx.register()
        let phone = try fx.login(account, userAgent: "Phone/1.0")
        let laptop = try fx.login(account, rememberMe: true, userAgent: "Laptop/2.0")
        let response = try fx.client.send("GET", "/api/v1/auth/sessions", headers: laptop.bearer)
        #expect(response.status == 200)
        let items = try #require(response.json["items"] as? [[String: Any]])
        #expect(items.count == 2)
        let current = try #require(items.first { $0["id"] as? String == laptop.sessionID })
        #expect(current["current"] as? Bool == true)
        #expect(current["user_agent"] as? String == "Laptop/2.0")
        #expect(current["ip_address"] as? String == fx.clientAddress)
        #expect(current["created_at"] is String && current["last_seen_at"] is String)
        let other = try #require(items.first { $0["id"] as? String == phone.sessionID })
        #expect(other["current"] as? Bool == false)
        #expect(other["user_agent"] as? String == "Phone/1.0")
        #expect(!response.text.contains(laptop.refresh))
    }

    @Test func deletingOwnSessionEndsIt() throws {
        let account = try fx.register()
        let a = try fx.login(account)
        let b = try fx.login(account)
        let response = try fx.client.send("DELETE", "/api/v1/auth/sessions/\(b.sessionID)", headers: a.bearer)
        #expect(response.status == 204)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: b.bearer).status == 401)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: a.bearer).status == 200)
        #expect(try fx.client.send("DELETE", "/api/v1/auth/sessions/\(b.sessionID)", headers: a.bearer).status == 404)
    }

    @Test func anotherUsersSessionIs404AndStaysAlive() throws {
        let mallory = try fx.login(try fx.register(prefix: "mallory"))
        let alice = try fx.login(try fx.register(prefix: "alice"))
        let response = try fx.client.send("DELETE", "/api/v1/auth/sessions/\(alice.sessionID)", headers: mallory.bearer)
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: alice.bearer).status == 200)
        #expect(try fx.client.send("DELETE", "/api/v1/auth/sessions/unknown", headers: mallory.bearer).status == 404)
        #expect(try fx.client.send("GET", "/api/v1/auth/sessions").status == 401)
    }
}
