import Foundation
import TestSupport
import Testing

/// `/api/v1/auth/me`, `/change-password` and `/logout` in-process.
@Suite(.inProcess("account")) struct AccountHandlersTests {
    let fx: AuthFixtures
    init() throws { fx = try InProcessApp.suite().fixtures }

    @Test func meShowsTheCaller() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let response = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(response.status == 200)
        #expect(response.json["username"] as? String == account.username)
        #expect(response.json["last_login_at"] is String)
        #expect(response.json["password_hash"] == nil)
        #expect(response.header("cache-control") == "no-store")
    }

    @Test func patchMeChangesNameAndEmail() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let newEmail = "New_\(account.username)@Example.org"
        let response = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": "Grace Hopper", "email": newEmail])
        #expect(response.status == 200)
        #expect(response.json["full_name"] as? String == "Grace Hopper")
        #expect(response.json["email"] as? String == newEmail.lowercased())
        // Only the name: the email stays.
        let nameOnly = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": "G. Hopper"])
        #expect(nameOnly.json["email"] as? String == newEmail.lowercased())
        // Logging in with the new email works.
        let login = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": newEmail, "password": account.password])
        #expect(login.status == 200)
    }

    @Test func patchMeRejectsBadAndTakenEmails() throws {
        let account = try fx.register()
        let other = try fx.register()
        let tokens = try fx.login(account)
        let bad = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["email": "nope"])
        #expect(bad.status == 422)
        #expect((bad.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/email")
        let taken = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["email": other.email.uppercased()])
        #expect(taken.status == 409)
        let typed = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": 5])
        #expect(typed.status == 422)
        #expect(try fx.client.send("PATCH", "/api/v1/auth/me", json: ["full_name": "x"]).status == 401)
    }

    @Test func changePasswordRevokesEveryOtherSession() throws {
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let current = try fx.login(account)
        let other = try fx.login(account)
        let wrong = try fx.client.send(
            "POST", "/api/v1/auth/change-password", headers: current.bearer,
            json: ["current_password": "Wrong-Password-9", "new_password": "Another-Horse-77"])
        #expect(wrong.status == 422)
        #expect((wrong.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/current_password")
        let weak = try fx.client.send(
            "POST", "/api/v1/auth/change-password", headers: current.bearer,
            json: ["current_password": account.password, "new_password": "short"])
        #expect(weak.status == 422)
        #expect((weak.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/new_password")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: other.bearer).status == 200)

        let ok = try fx.client.send(
            "POST", "/api/v1/auth/change-password", headers: current.bearer,
            json: ["current_password": account.password, "new_password": "Another-Horse-77"])
        #expect(ok.status == 204)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: current.bearer).status == 200)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: other.bearer).status == 401)
        #expect(try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": other.refresh]).status == 401)
        let oldPassword = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": account.password])
        #expect(oldPassword.status == 401)
        var changed = account
        changed.password = "Another-Horse-77"
        _ = try fx.login(changed)
    }

    @Test func logoutEndsTheSessionAtOnce() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let keep = try fx.login(account)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 200)
        let logout = try fx.client.send("POST", "/api/v1/auth/logout", headers: tokens.bearer)
        #expect(logout.status == 204)
        let after = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(after.status == 401)
        #expect(after.header("www-authenticate") == "Bearer error=\"invalid_token\"")
        #expect(try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh]).status == 401)
        // Other sessions of the user are untouched.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: keep.bearer).status == 200)
    }

    @Test func logoutFromAllDevices() throws {
        let account = try fx.register()
        let a = try fx.login(account)
        let b = try fx.login(account)
        let logout = try fx.client.send("POST", "/api/v1/auth/logout", headers: a.bearer, json: ["all_devices": true])
        #expect(logout.status == 204)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: a.bearer).status == 401)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: b.bearer).status == 401)
        #expect(try fx.client.send("POST", "/api/v1/auth/logout").status == 401)
    }
}
