import Foundation
import TestSupport
import Testing

/// `/api/v1/admin/users` and the role guard, with an admin made by `tm user create`.
@Suite(.inProcess("admin_users")) struct AdminUserHandlersTests {
    let fx: AuthFixtures
    init() throws { fx = try InProcessApp.suite().fixtures }

    @Test func nonAdminsGet403() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let viewer = try fx.createWithCLI(role: "viewer")
        let viewerTokens = try fx.login(viewer)
        let list = try fx.client.send("GET", "/api/v1/admin/users", headers: viewerTokens.bearer)
        #expect(list.status == 403)
        #expect(list.header("content-type") == "application/problem+json")
        let patch = try fx.client.send("PATCH", "/api/v1/admin/users/\(viewer.id)", headers: viewerTokens.bearer, json: ["role": "admin"])
        #expect(patch.status == 403)
        // Viewers still read their own account.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: viewerTokens.bearer).status == 200)
        let user = try fx.login(try fx.register())
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: user.bearer).status == 403)
        #expect(try fx.client.send("GET", "/api/v1/admin/users").status == 401)
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: admin.bearer).status == 200)
    }

    @Test func listPagesAndSearches() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let tag = AuthFixtures.uniqueName("pg")
        var ids: [Int] = []
        for index in 0..<3 {
            let name = "\(tag)_\(index)"
            let response = try fx.client.send(
                "POST", "/api/v1/auth/register",
                json: [
                    "username": name, "email": "\(name)@example.com", "password": AuthFixtures.password, "agree_terms": true,
                ])
            ids.append(try #require(response.json["id"] as? Int))
        }
        let first = try fx.client.send("GET", "/api/v1/admin/users?q=\(tag.uppercased())&limit=2", headers: admin.bearer)
        #expect(first.status == 200)
        #expect(first.json["total"] as? Int == 3)
        #expect(first.json["limit"] as? Int == 2)
        let firstIDs = (first.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(firstIDs == [ids[2], ids[1]])
        let second = try fx.client.send("GET", "/api/v1/admin/users?q=\(tag)&page=2&per_page=2", headers: admin.bearer)
        #expect((second.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } == [ids[0]])
        #expect(second.json["offset"] as? Int == 2)
        let byEmail = try fx.client.send("GET", "/api/v1/admin/users?q=\(tag)_1@EXAMPLE", headers: admin.bearer)
        #expect(byEmail.json["total"] as? Int == 1)
        #expect(!first.text.contains("argon2"))
        for bad in ["limit=0", "limit=101", "per_page=1000", "offset=-1", "page=0", "limit=x"] {
            let response = try fx.client.send("GET", "/api/v1/admin/users?\(bad)", headers: admin.bearer)
            #expect(response.status == 422, "\(bad)")
        }
    }

    @Test func changesAreVersionedWithETags() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let first = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "analyst"])
        #expect(first.status == 200, "\(first.text)")
        let version = try #require(first.json["version"] as? Int)
        #expect(first.header("etag") == "\"\(version)\"")
        // A write over an older version is refused with the current ETag; over the current one it goes through.
        var headers = admin.bearer
        headers["If-Match"] = "\"\(version - 1)\""
        let stale = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: headers, json: ["role": "viewer"])
        #expect(stale.status == 412 && stale.header("etag") == "\"\(version)\"", "\(stale.text)")
        headers["If-Match"] = "\"\(version)\""
        let fresh = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: headers, json: ["role": "viewer"])
        #expect(fresh.status == 200 && fresh.json["role"] as? String == "viewer" && fresh.header("etag") == "\"\(version + 1)\"", "\(fresh.text)")
        headers["If-Match"] = "soon"
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: headers, json: ["role": "viewer"]).status == 412)
    }

    @Test func roleChangeAppliesToLiveSessionsAtOnce() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let tokens = try fx.login(account)
        let promote = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "admin"])
        #expect(promote.status == 200)
        #expect(promote.json["role"] as? String == "admin")
        // The same access token (claim role=user) now has admin rights, from the session.
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: tokens.bearer).status == 200)
        let demote = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "viewer"])
        #expect(demote.json["role"] as? String == "viewer")
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: tokens.bearer).status == 403)
        let audit = try TestStack.run([
            "psql", fx.databaseURL, "-tAc",
            "SELECT details->>'to' FROM audit_events WHERE event = 'user.role_change' AND user_id = \(account.id) ORDER BY id",
        ])
        #expect(audit.output.split(separator: "\n") == ["admin", "viewer"])
        // Bad inputs.
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "root"]).status == 422)
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/999999999", headers: admin.bearer, json: ["role": "user"]).status == 404)
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/abc", headers: admin.bearer, json: ["role": "user"]).status == 404)
        let adminID = try #require(AuthFixtures.claims(of: admin.access)?["sub"] as? String)
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(adminID)", headers: admin.bearer, json: ["is_active": false]).status == 409)
    }

    @Test func deactivationRevokesSessionsAndKeysAndBlocksLogin() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let tokens = try fx.login(account)
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "k"])
        let key = try #require(created.json["key"] as? String)
        let response = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["is_active": false])
        #expect(response.status == 200)
        #expect(response.json["is_active"] as? Bool == false)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 401)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key]).status == 401)
        #expect(try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh]).status == 401)
        let login = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": account.password])
        #expect(login.status == 403)
        let reactivate = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["is_active": true])
        #expect(reactivate.json["is_active"] as? Bool == true)
        _ = try fx.login(account)
        // The revoked key stays revoked.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key]).status == 401)
    }
}
