import Foundation
import TestSupport
import Testing

/// With Redis down, sessions cannot be checked: authenticated requests fail closed (503),
/// never open. Stops the stack's Redis and always restarts it.
@Suite(.serialized) struct RedisOutageTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    @Test func meIs503WhileRedisIsDownAndWorksAfter() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 200)
        try fx.stack.control("redis", "stop")
        do {
            defer { try? fx.stack.control("redis", "start") }
            let me = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
            #expect(me.status == 503)
            #expect(me.header("retry-after") == "1")
            #expect(me.header("content-type") == "application/problem+json")
            // Logging in needs the throttle and the session store: also 503, never a token.
            let login = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": account.password])
            #expect(login.status == 503)
            #expect(login.json["tokens"] == nil)
            // Bad tokens are still refused before Redis is asked.
            #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: ["Authorization": "Bearer x.y.z"]).status == 401)
        }
        // Redis keeps sessions in memory only: after the restart the old session is gone
        // (401, not 503), and a new login works.
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 401)
        let again = try fx.login(account)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: again.bearer).status == 200)
    }
}
