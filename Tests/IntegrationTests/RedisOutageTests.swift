import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// With Redis down, sessions cannot be checked: authenticated requests fail closed (503),
/// never open. Stops the stack's Redis and always restarts it.
@Suite(.serialized) struct RedisOutageTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    var pidFile: String { fx.stack.state + "/run/redis.pid" }

    func stopRedis() throws {
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
        try #require(kill(pid, 0) != 0, "redis did not stop")
    }

    func startRedis() throws {
        let config = fx.stack.state + "/redis.conf"
        let command = getuid() == 0 ? ["runuser", "-u", "trademaster", "--", "redis-server", config] : ["redis-server", config]
        // redis-server daemonizes and keeps whatever descriptors it inherits, including the
        // pipe TestStack.run reads to EOF; python's close_fds gives it none.
        let script = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True, stdin=subprocess.DEVNULL, "
            + "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)"
        try TestStack.run(["python3", "-c", script] + command)
        for _ in 0..<100 {
            if (try? fx.redis("PING")) == "PONG" { return }
            usleep(50_000)
        }
        Issue.record("redis did not come back")
    }

    @Test func meIs503WhileRedisIsDownAndWorksAfter() throws {
        let account = try fx.register()
        let tokens = try fx.login(account)
        #expect(try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer).status == 200)
        try stopRedis()
        do {
            defer { try? startRedis() }
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
