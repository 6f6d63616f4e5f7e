import Foundation
import Logging
import Models
import Synchronization
import TestSupport
import Testing

@testable import Configuration
@testable import Handlers
@testable import PostgresClient
@testable import RedisClient
@testable import TMFcgi

/// The health handlers called in-process, against the test stack's real PostgreSQL and Redis.
@Suite struct HealthHandlersTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func application(_ overrides: [String: String] = [:]) throws -> Application<AppContext> {
        var values = [
            "SECRET_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "DATABASE_URL": stack.databaseURL,
            "REDIS_URL": stack.redisURL,
            "TRADEMASTER_API_URL": ProcessInfo.processInfo.environment["TRADEMASTER_API_URL"] ?? "http://127.0.0.1:1",
        ]
        values.merge(overrides) { $1 }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try API.makeApplication(settings: try Settings(values), logger: logger)
    }

    func checks(_ response: Response) -> [String: [String: Any]] {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        return object?["checks"] as? [String: [String: Any]] ?? [:]
    }

    @Test func readyWhenEverythingIsUp() throws {
        let response = try application().respond(to: Request(method: .get, path: "/api/v1/status"))
        #expect(response.status.code == 200)
        #expect(checks(response)["postgres"]?["status"] as? String == "ok")
        #expect(checks(response)["redis"]?["status"] as? String == "ok")
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test func notReadyWithoutPostgres() throws {
        let response = try application(["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"])
            .respond(to: Request(method: .get, path: "/api/v1/status"))
        #expect(response.status.code == 503)
        #expect(checks(response)["postgres"]?["status"] as? String == "down")
        #expect(checks(response)["postgres"]?["error"] as? String == "unreachable")
        #expect(checks(response)["redis"]?["status"] as? String == "ok")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains("127.0.0.1:1") && !text.contains("nobody"), "no connection details leak: \(text)")
    }

    @Test func notReadyWithoutRedis() throws {
        let response = try application(["REDIS_URL": "redis://127.0.0.1:1/0"]).respond(to: Request(method: .get, path: "/api/v1/status"))
        #expect(response.status.code == 503)
        #expect(checks(response)["redis"]?["status"] as? String == "down")
    }

    @Test func tradeMasterDownIsReportedButNotFatal() throws {
        let response = try application(["TRADEMASTER_API_URL": "http://127.0.0.1:1"]).respond(to: Request(method: .get, path: "/api/v1/status"))
        #expect(response.status.code == 200)
        #expect(checks(response)["trademaster"]?["status"] as? String == "down")
    }

    @Test func aHungTradeMasterIsProbedOnceNotOnEveryRequest() throws {
        let server = try ScriptedServer([.hold])  // reads the request, then never answers
        defer { server.close() }
        let app = try application(["TRADEMASTER_API_URL": "http://127.0.0.1:\(server.port)"])
        var statuses: [String] = []
        for _ in 0..<5 {
            let response = app.respond(to: Request(method: .get, path: "/api/v1/status"))
            #expect(response.status.code == 200, "TradeMaster being down is not fatal")
            statuses.append(checks(response)["trademaster"]?["error"] as? String ?? "-")
        }
        #expect(statuses == Array(repeating: "timeout", count: 5), "\(statuses)")
        #expect(server.requests.count == 1, "probed \(server.requests.count) times")
    }

    @Test func livenessChecksNothing() throws {
        let app = try application(["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"])
        let response = app.respond(to: Request(method: .get, path: "/health"))
        #expect(response.status.code == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"status\":\"ok\"}")
    }

    /// Issue 20: the pool's sessions have a statement_timeout (TM_STATEMENT_TIMEOUT_MS); a real
    /// pg_sleep past it is cancelled by PostgreSQL and answered as a 504 problem, not a 500,
    /// and the thread's connection serves the next request.
    @Test func aStatementPastTheTimeoutIsA504Problem() throws {
        let app = try application(["TM_DIAGNOSTICS": "true", "TM_STATEMENT_TIMEOUT_MS": "300"])
        let started = ContinuousClock.now
        let slow = app.respond(to: Request(method: .get, path: "/_diag/pg-sleep", query: "ms=3000"))
        let elapsed = ContinuousClock.now - started
        #expect(slow.status.code == 504, "\(String(decoding: slow.body, as: UTF8.self))")
        #expect(slow.headers["Content-Type"] == "application/problem+json")
        let body = try JSONSerialization.jsonObject(with: Data(slow.body)) as? [String: Any]
        #expect(body?["title"] as? String == "Database statement timed out")
        #expect((body?["detail"] as? String)?.contains("TM_STATEMENT_TIMEOUT_MS") == true)
        #expect(elapsed < .seconds(2), "the statement ran \(elapsed)")
        let fast = app.respond(to: Request(method: .get, path: "/_diag/pg-sleep", query: "ms=10"))
        #expect(fast.status.code == 200)
        // 0 turns it off.
        let unbounded = try application(["TM_DIAGNOSTICS": "true", "TM_STATEMENT_TIMEOUT_MS": "0"])
        #expect(unbounded.respond(to: Request(method: .get, path: "/_diag/pg-sleep", query: "ms=500")).status.code == 200)
    }

    @Test func diagnosticsAreOffUnlessEnabled() throws {
        #expect(try application().respond(to: Request(method: .get, path: "/_diag/sleep")).status.code == 404)
        let enabled = try application(["TM_DIAGNOSTICS": "true"])
        let invalid = enabled.respond(to: Request(method: .get, path: "/_diag/sleep", query: "ms=soon"))
        #expect(invalid.status.code == 422)
    }
}

/// Data-layer errors become the right problems, with nothing internal in them.
@Suite struct ErrorMappingTests {
    @Test func databaseErrors() {
        let unavailable = DatabaseError.unavailable("could not connect to 10.0.0.5").problem
        #expect(unavailable.status.code == 503)
        #expect(unavailable.headers.contains { $0.0 == "Retry-After" })
        #expect(!(unavailable.detail ?? "").contains("10.0.0.5"))
        // Stores turn constraint names into meaning (AccountConflict); what slips past them is
        // still a client status, without the constraint's name.
        let duplicate = DatabaseError.query(sqlState: "23505", message: "duplicate key value", constraint: "users_email_key").problem
        #expect(duplicate.status.code == 409)
        #expect(!(duplicate.detail ?? "").contains("users_email_key"))
        #expect(AccountConflict.emailTaken.problem.detail?.contains("email") == true)
        #expect(AccountConflict.passwordChanged.problem.status.code == 409)
        #expect(DatabaseError.query(sqlState: "23503", message: "fk", constraint: nil).problem.status.code == 422)
        #expect(DatabaseError.query(sqlState: "23514", message: "check", constraint: "users_full_name_check").problem.status.code == 422)
        #expect(DatabaseError.query(sqlState: "22001", message: "value too long", constraint: nil).problem.status.code == 422)
        let other = DatabaseError.query(sqlState: "42P01", message: "relation \"secret_table\" does not exist", constraint: nil).problem
        #expect(other.status.code == 500)
        #expect(!(other.detail ?? "").contains("secret_table"))
    }

    @Test func redisErrors() {
        #expect(RedisError.unavailable("x").problem.status.code == 503)
        #expect(RedisError.reply("WRONGTYPE").problem.status.code == 500)
        #expect(!(RedisError.reply("WRONGTYPE").problem.detail ?? "").contains("WRONGTYPE"))
    }
}

/// Issue 20: php-fpm's request_slowlog_timeout. A request past TM_SLOW_REQUEST_MS is logged
/// exactly once, while it still runs, with its method, path (no query), request id, user and
/// elapsed time.
@Suite struct SlowRequestLogTests {
    /// Keeps the log lines a logger writes.
    final class Captured: @unchecked Sendable {
        let lines = Mutex<[(message: String, metadata: [String: String], at: ContinuousClock.Instant)]>([])
    }

    struct Capture: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (metadata.merging(event.metadata ?? [:]) { $1 }).mapValues { "\($0)" }
            captured.lines.withLock { $0.append((event.message.description, fields, ContinuousClock.now)) }
        }
    }

    @Test func aSlowRequestIsLoggedOnceWhileItRuns() throws {
        let stack = try TestStack.current()
        let captured = Captured()
        let logger = Logger(label: "test") { _ in Capture(captured: captured) }
        let values = [
            "SECRET_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "DATABASE_URL": stack.databaseURL, "REDIS_URL": stack.redisURL,
            "TM_DIAGNOSTICS": "true", "TM_SLOW_REQUEST_MS": "200",
        ]
        let app = try API.makeApplication(settings: try Settings(values), logger: logger)
        let fast = Request(method: .get, path: "/_diag/sleep", query: "ms=10")
        #expect(app.respond(to: fast).status.code == 200)
        let slow = Request(method: .get, path: "/_diag/sleep", query: "ms=900&token=s3cr3t", requestID: "slow-request-1")
        slow.logFields.append(("user_id", "42"))  // as the authentication middleware adds it
        #expect(app.respond(to: slow).status.code == 200)
        let ended = ContinuousClock.now
        usleep(400_000)  // the watchdog must not log it again after it ended
        let lines = captured.lines.withLock { $0 }.filter { $0.message == "slow request" }
        #expect(lines.count == 1, "\(lines)")
        let line = try #require(lines.first)
        #expect(line.metadata["request_id"] == "slow-request-1")
        #expect(line.metadata["method"] == "GET" && line.metadata["path"] == "/_diag/sleep")
        #expect(line.metadata["user_id"] == "42")
        let elapsed = try #require(line.metadata["elapsed_ms"].flatMap { Int($0) })
        #expect(elapsed >= 200 && elapsed < 900, "elapsed_ms \(elapsed): logged while running")
        #expect(line.at < ended)
        #expect(!line.metadata.values.contains { $0.contains("s3cr3t") })
    }

    /// The watchdog compares each request's start with its own clock reading: a request that
    /// began after that reading (it joined the list while the watchdog read the clock) is not
    /// slow. The soak of 2026-12-07 caught it logging a fast `/auth/me` as "past its deadline"
    /// with `elapsed_ms` 18446744073709 (an unsigned difference wrapped).
    @Test func aRequestThatStartedAfterTheClockReadingIsNotSlow() {
        let captured = Captured()
        let clock = Atomic<UInt64>(10_000_000_000)
        let log = SlowRequestLog(
            thresholdMilliseconds: 200, deadlineMilliseconds: 1000, logger: Logger(label: "t") { _ in Capture(captured: captured) },
            now: { clock.load(ordering: .relaxed) })
        let messages = { captured.lines.withLock { $0 }.map(\.message) }
        // Began 1 ms after the watchdog's reading.
        let young = log.begin(Request(method: .get, path: "/api/v1/auth/me", requestID: "young"), start: 10_001_000_000)
        log.scan()
        #expect(messages().isEmpty)
        // Real slowness is still seen: 300 ms later it is slow, 1.2 s later past its deadline.
        clock.store(10_301_000_000, ordering: .relaxed)
        log.scan()
        clock.store(11_201_000_000, ordering: .relaxed)
        log.scan()
        #expect(messages() == ["slow request", "request past its deadline"])
        log.end(young)
    }
}
