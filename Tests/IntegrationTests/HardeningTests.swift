import Foundation
import Synchronization
import TestSupport
import Testing

/// The defects an outside probe found in the accounts API (issue 7), each through nginx
/// against the real pool, PostgreSQL and Redis.
@Suite(.serialized) struct HardeningTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    /// Sends `count` requests at once, each from its own connection; returns the answers.
    func concurrently(_ count: Int, _ request: @escaping @Sendable (Int, TestHTTPClient) throws -> TestResponse) -> [Int] {
        let port = fx.stack.port
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let status = (try? request(index, TestHTTPClient(port: port)).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        return statuses.withLock { $0 }
    }

    func sql(_ query: String) throws -> String {
        let result = try TestStack.run(["psql", fx.stack.databaseURL, "-tAc", query])
        try #require(result.status == 0, "psql: \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func apiKey(_ tokens: AuthFixtures.Tokens, name: String = "probe") throws -> String {
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": name])
        try #require(created.status == 201, "\(created.text)")
        return try #require(created.json["key"] as? String)
    }

    // MARK: 1. The failed-login limit under parallel guesses

    @Test func parallelGuessesNeverVerifyMoreThanTheLimit() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let statuses = concurrently(24) { index, client in
            try client.send(
                "POST", "/api/v1/auth/login",
                json: ["username": account.username, "password": index == 23 ? account.password : "Wrong-Password-\(index)"])
        }
        // At most 5 wrong passwords are ever verified. The right one, if it got a place,
        // clears the account's failures, but the address's 5 still stop the rest.
        #expect(statuses.filter { $0 == 401 }.count <= 5, "\(statuses)")
        #expect(statuses.filter { $0 == 200 }.count <= 1, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count >= 18, "\(statuses)")
        #expect(statuses.allSatisfy { [200, 401, 429].contains($0) }, "\(statuses)")
        let failures = try sql("SELECT count(*) FROM audit_events WHERE event = 'login.failure' AND user_id = \(account.id)")
        #expect((Int(failures) ?? 99) <= 5)
    }

    @Test func tokenEndpointWhileThrottledIs429WithRetryAfter() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        for _ in 0..<5 {
            #expect(
                try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": "Wrong-Password-1"]).status == 401)
        }
        let form = "grant_type=password&username=\(account.username)&password=\(AuthFixtures.password)"
        let response = try fx.client.send(
            "POST", "/api/v1/auth/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array(form.utf8))
        #expect(response.status == 429)
        #expect(response.header("retry-after").flatMap(Int.init) != nil)
    }

    // MARK: 2. API keys cannot manage the account

    @Test func anAPIKeyCannotManageItsOwnersAccount() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let key = try apiKey(tokens)
        let headers = ["X-API-Key": key]
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: headers).status == 200)
        let attempts: [(String, String, Any?)] = [
            ("PATCH", "/api/v1/auth/me", ["email": "\(account.username)-stolen@example.com"]),
            ("PATCH", "/api/v1/auth/me", ["full_name": "Mallory"]),
            ("POST", "/api/v1/auth/change-password", ["current_password": account.password, "new_password": "Another-Horse-77"]),
            ("POST", "/api/v1/auth/logout", ["all_devices": true]),
            ("POST", "/api/v1/auth/logout", nil),
            ("GET", "/api/v1/auth/sessions", nil),
            ("DELETE", "/api/v1/auth/sessions/\(tokens.sessionID)", nil),
            ("GET", "/api/v1/auth/api-keys", nil),
            ("POST", "/api/v1/auth/api-keys", ["name": "second"]),
            ("DELETE", "/api/v1/auth/api-keys/1", nil),
        ]
        for (method, path, body) in attempts {
            for credential in [headers, ["Authorization": "Bearer \(key)"]] {
                let response = try fx.client.send(method, path, headers: credential, json: body)
                #expect(response.status == 403, "\(method) \(path): \(response.status) \(response.text)")
                #expect(response.header("content-type") == "application/problem+json")
            }
        }
        // Nothing changed: the owner's session and the email are intact.
        let me = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(me.status == 200)
        #expect(me.json["email"] as? String == account.email)
        #expect(me.json["full_name"] as? String == "Test \(account.username)")
    }

    @Test func anAdminKeyCannotChangeUsers() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let key = try apiKey(admin)
        let target = try fx.register()
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: ["X-API-Key": key]).status == 200)
        let patch = try fx.client.send("PATCH", "/api/v1/admin/users/\(target.id)", headers: ["X-API-Key": key], json: ["is_active": false])
        #expect(patch.status == 403)
    }

    @Test func passwordAndEmailChangesRevokeTheUsersKeys() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let first = try apiKey(tokens)
        #expect(try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": "Same Mail"]).status == 200)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": first]).status == 200)
        let moved = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["email": "\(account.username)-new@example.com"])
        #expect(moved.status == 200)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": first]).status == 401)

        let second = try apiKey(tokens)
        let change = try fx.client.send(
            "POST", "/api/v1/auth/change-password", headers: tokens.bearer,
            json: ["current_password": account.password, "new_password": "Another-Horse-77"])
        #expect(change.status == 204)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": second]).status == 401)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 200)
    }

    @Test func anExpiredKeyIsRefused() throws {
        let account = try fx.register()
        let key = try apiKey(try fx.login(account))
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key]).status == 200)
        _ = try sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE user_id = \(account.id)")
        let after = try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key])
        #expect(after.status == 401)
        #expect(after.header("www-authenticate") == "Bearer error=\"invalid_token\"")
    }

    @Test func refreshAfterTheSessionExpiredIs401() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        // The session's hash expiring is what ends a session in Redis.
        try fx.redis("DEL", "auth:sess:\(tokens.sessionID)")
        let response = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh])
        #expect(response.status == 401)
        #expect(response.header("content-type") == "application/problem+json")
    }

    // MARK: 3. Concurrent password changes

    @Test func ofConcurrentPasswordChangesExactlyOneWins() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let tokens = try fx.login(account)
        let statuses = concurrently(8) { index, client in
            try client.send(
                "POST", "/api/v1/auth/change-password", headers: tokens.bearer,
                json: ["current_password": account.password, "new_password": "Winner-Horse-\(index)0"])
        }
        #expect(statuses.filter { $0 == 204 }.count == 1, "\(statuses)")
        // The losers lost the compare-and-set (409), or verified after the winner committed (422),
        // or found the attempt limit taken by the others in flight (429).
        #expect(statuses.allSatisfy { [204, 409, 422, 429].contains($0) }, "\(statuses)")
        var working = 0
        for index in 0..<8 {
            try fx.redis("DEL", "auth:fail:acct:u\(account.id)")
            try fx.resetAddressThrottle()
            let login = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": "Winner-Horse-\(index)0"])
            if login.status == 200 { working += 1 } else { #expect(login.status == 401, "\(login.status) \(login.text)") }
        }
        #expect(working == 1, "\(statuses)")
    }

    // MARK: 4. Security state follows the target, so a retry repairs a half-done change

    @Test func aRetriedDeactivationEndsSessionsAndKeysThatSurvivedAFailure() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let tokens = try fx.login(account)
        let key = try apiKey(tokens)
        // The first attempt committed in PostgreSQL and then failed before Redis was touched.
        _ = try sql("UPDATE users SET is_active = false WHERE id = \(account.id)")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 200)
        let retry = try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["is_active": false])
        #expect(retry.status == 200)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 401)
        #expect(try sql("SELECT count(*) FROM api_keys WHERE user_id = \(account.id) AND revoked_at IS NULL") == "0")
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["X-API-Key": key]).status == 401)
    }

    @Test func aRetriedRoleChangeReachesLiveSessions() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let account = try fx.register()
        let tokens = try fx.login(account)
        // The first attempt committed the role and failed before the sessions were updated.
        _ = try sql("UPDATE users SET role = 'admin' WHERE id = \(account.id)")
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: tokens.bearer).status == 403)
        #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["role": "admin"]).status == 200)
        #expect(try fx.client.send("GET", "/api/v1/admin/users", headers: tokens.bearer).status == 200)
    }

    @Test func aDeactivationDuringLoginLeavesNoLiveSession() throws {
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        for delay in [0, 10, 25, 50, 80] {
            try fx.resetAddressThrottle()
            let account = try fx.register()
            let port = fx.stack.port
            let login = Mutex<TestResponse?>(nil)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                let response = try? TestHTTPClient(port: port).send(
                    "POST", "/api/v1/auth/login",
                    json: ["username": account.username, "password": account.password])
                login.withLock { $0 = response }
            }
            usleep(UInt32(delay * 1000))
            #expect(try fx.client.send("PATCH", "/api/v1/admin/users/\(account.id)", headers: admin.bearer, json: ["is_active": false]).status == 200)
            group.wait()
            let response = try #require(login.withLock { $0 })
            if response.status == 200 {
                let tokens = try AuthFixtures.tokens(from: try #require(response.json["tokens"] as? [String: Any]))
                #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 401, "delay \(delay) ms")
            } else {
                #expect(response.status == 403, "delay \(delay) ms: \(response.status)")
            }
        }
        try fx.resetAddressThrottle()
    }

    // MARK: 5–8. Input that must be refused

    @Test func controlCharactersAreRefusedBeforeTheDatabase() throws {
        let account = try fx.register()
        let nul = try fx.client.send(
            "POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"],
            body: Array(#"{"username":"\#(account.username)\u0000junk","password":"\#(account.password)"}"#.utf8))
        #expect(nul.status == 422, "\(nul.text)")
        let form = "grant_type=password&username=\(account.username)%00junk&password=\(AuthFixtures.password)"
        let token = try fx.client.send(
            "POST", "/api/v1/auth/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array(form.utf8))
        #expect(token.status == 400)
        #expect(token.text.contains("access_token") == false)
        let tokens = try fx.login(account)
        for name in ["ab\u{0}cd", "tab\there", "bell\u{7}"] {
            let key = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": name])
            #expect(key.status == 422, "\(name.debugDescription): \(key.status)")
        }
        #expect(try sql("SELECT count(*) FROM api_keys WHERE user_id = \(account.id)") == "0")
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        #expect(try fx.client.send("GET", "/api/v1/admin/users?q=%00", headers: admin.bearer).status == 400)
    }

    @Test func timestampsOutsideWhatRoundTripsAre422AndListsStayReadable() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        for expiry in [
            "9999-12-31T23:59:59-12:00", "12345-01-01T00:00:00Z", "2030-02-30T00:00:00Z", "2030-01-01T00:00:00+99:99",
            "2030-01-01", "soon",
        ] {
            let response = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": "k", "expires_at": expiry])
            #expect(response.status == 422, "\(expiry): \(response.status) \(response.text)")
            #expect(response.text.contains("/expires_at"), "\(expiry)")
        }
        let good = try fx.client.send(
            "POST", "/api/v1/auth/api-keys", headers: tokens.bearer,
            json: ["name": "k", "expires_at": "2099-12-31T23:59:59+01:00"])
        #expect(good.status == 201)
        #expect(good.json["expires_at"] as? String == "2099-12-31T22:59:59Z")
        // A value that got in some other way still decodes: the list stays usable.
        _ = try sql("UPDATE api_keys SET expires_at = '12345-01-01 00:00:00+00' WHERE user_id = \(account.id)")
        let list = try fx.client.send("GET", "/api/v1/auth/api-keys", headers: tokens.bearer)
        #expect(list.status == 200, "\(list.text)")
        #expect((list.json["items"] as? [Any])?.count == 1)
    }

    @Test func lengthsAreCountedAsTheDatabaseCountsThem() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        let accents = "a" + String(repeating: "\u{301}", count: 200)  // 1 character, 201 code points
        let families = String(repeating: "👨‍👩‍👧‍👦", count: 60)  // 60 characters, 420 code points
        for name in [accents, families] {
            let profile = try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": name])
            #expect(profile.status == 422, "\(profile.status) \(profile.text)")
            let key = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: tokens.bearer, json: ["name": name])
            #expect(key.status == 422, "\(key.status) \(key.text)")
        }
        let fits = String(repeating: "👨‍👩‍👧‍👦", count: 28)  // 196 code points
        #expect(try fx.client.send("PATCH", "/api/v1/auth/me", headers: tokens.bearer, json: ["full_name": fits]).status == 200)
    }

    @Test func lenientJSONIsRefused() throws {
        let cases: [([UInt8], Int)] = [
            (Array(#"{"username":"a","password":"b",}"#.utf8), 400),
            (Array(#"{"username":"a","username":"b","password":"c"}"#.utf8), 422),
            (Array(#"{"username":"a","password":"b","x":""#.utf8) + [0xFF] + Array(#""}"#.utf8), 400),
            (Array(#"{"username":"a","password":"b","x":"\ud800"}"#.utf8), 400),
        ]
        for (body, expected) in cases {
            let response = try fx.client.send("POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"], body: body)
            #expect(response.status == expected, "\(String(decoding: body, as: UTF8.self)): \(response.status)")
            #expect(response.header("content-type") == "application/problem+json")
        }
    }
}
