import Foundation
import TestSupport
import Testing

/// `/health`, `/api/v1/status` and the pipeline's error shapes, through nginx.
@Suite struct HealthTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    /// Issue 20: the pool's slow-request watchdog (TM_SLOW_REQUEST_MS, default 5000), in a
    /// forked pool worker behind nginx, logs a request exactly once while it still runs, with
    /// its method, path (no query), request id and elapsed time.
    @Test func aSlowRequestIsLoggedOnceWhileItRuns() throws {
        let id = "slow-" + UUID().uuidString.prefix(8).lowercased()
        let response = try stack.client().send("GET", "/_diag/sleep?ms=5600&token=s3cr3t", headers: ["X-Request-ID": id])
        #expect(response.status == 200 && response.header("x-request-id") == id)
        usleep(500_000)  // the watchdog would log it again by now
        let log = (try? String(contentsOfFile: stack.state + "/log/tm.log", encoding: .utf8)) ?? ""
        let lines = log.split(separator: "\n").filter { $0.contains("\"slow request\"") && $0.contains(id) }
        #expect(lines.count == 1, "\(lines)")
        let line = try #require(lines.first)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["request_id"] as? String == id && fields["method"] as? String == "GET")
        #expect(fields["path"] as? String == "/_diag/sleep" && fields["level"] as? String == "warning")
        let elapsed = Int(fields["elapsed_ms"] as? String ?? "") ?? (fields["elapsed_ms"] as? Int ?? -1)
        #expect(elapsed >= 5000 && elapsed < 5600, "elapsed_ms \(elapsed): logged while it ran")
        #expect(!line.contains("s3cr3t"))
    }

    @Test func healthAnswersJSON() throws {
        let response = try stack.client().send("GET", "/health")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.json["status"] as? String == "ok")
        #expect(response.header("x-request-id")?.count == 32)
    }

    @Test func headHasTheHeadersOfGetWithoutABody() throws {
        let response = try stack.client().send("HEAD", "/health")
        #expect(response.status == 200)
        #expect(response.header("content-length") == "15")
        #expect(response.body.isEmpty)
    }

    @Test func unknownMethodIs405ProblemWithAllow() throws {
        let response = try stack.client().send("PROPFIND", "/health")
        #expect(response.status == 405)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("allow") == "GET, HEAD, OPTIONS")
    }

    @Test func statusReportsEveryDependency() throws {
        let response = try stack.client().send("GET", "/api/v1/status")
        #expect(response.status == 200)
        let checks = try #require(response.json["checks"] as? [String: [String: Any]])
        #expect(checks["postgres"]?["status"] as? String == "ok")
        #expect(checks["redis"]?["status"] as? String == "ok")
        // The fake TradeMaster service that scripts/test starts answers its healthcheck.
        #expect(checks["trademaster"]?["status"] as? String == "ok")
        #expect((checks["postgres"]?["latency_ms"] as? Double ?? -1) >= 0)
        #expect(response.json["version"] is String)
        #expect((response.json["uptime_seconds"] as? Double ?? -1) >= 0)
    }

    @Test func unknownPathIsProblem404WithRequestID() throws {
        let response = try stack.client().send("GET", "/nope")
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/problem+json")
        let id = try #require(response.header("x-request-id"))
        #expect(response.json["status"] as? Int == 404)
        #expect(response.json["title"] as? String == "Not Found")
        #expect(response.json["request_id"] as? String == id)
        #expect(response.json["instance"] as? String == "/nope")
    }

    @Test func clientRequestIDIsKeptWhenSafeAndReplacedWhenNot() throws {
        let client = stack.client()
        let kept = try client.send("GET", "/health", headers: ["X-Request-ID": "trace-abc.123"])
        #expect(kept.header("x-request-id") == "trace-abc.123")
        let replaced = try client.send("GET", "/health", headers: ["X-Request-ID": "evil\"id with spaces"])
        #expect(replaced.header("x-request-id")?.count == 32)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let response = try stack.client().send("DELETE", "/health")
        #expect(response.status == 405)
        #expect(response.header("allow") == "GET, HEAD, OPTIONS")
        #expect(response.header("content-type") == "application/problem+json")
    }

    @Test func bodyOverTheRouteLimitIs413ProblemFromNginx() throws {
        let body = [UInt8](repeating: 0x20, count: 2 << 20)
        let response = try stack.client().send("POST", "/_diag/echo", headers: ["Content-Type": "application/json"], body: body)
        #expect(response.status == 413)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json["status"] as? Int == 413)
        #expect(response.json["request_id"] as? String == response.header("x-request-id"))
    }

    @Test func malformedJSONIs400() throws {
        let response = try stack.client().send("POST", "/_diag/echo", headers: ["Content-Type": "application/json"], body: Array("{nope".utf8))
        #expect(response.status == 400)
        #expect(response.json["type"] as? String == "/problems/malformed-json")
    }

    @Test func wrongContentTypeIs415() throws {
        let response = try stack.client().send("POST", "/_diag/echo", headers: ["Content-Type": "text/plain"], body: Array("hi".utf8))
        #expect(response.status == 415)
        #expect(response.header("content-type") == "application/problem+json")
    }

    @Test func wrongShapeIs422WithPointer() throws {
        let response = try stack.client().send("POST", "/_diag/echo", json: ["name": "x", "count": "three"])
        #expect(response.status == 422)
        let errors = try #require(response.json["errors"] as? [[String: Any]])
        #expect(errors.first?["pointer"] as? String == "/count")
    }

    @Test func validJSONRoundTrips() throws {
        let response = try stack.client().send("POST", "/_diag/echo", json: ["name": "x", "count": 3])
        #expect(response.status == 200)
        #expect(response.json["count"] as? Int == 3)
    }
}
