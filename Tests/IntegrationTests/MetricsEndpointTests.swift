import Foundation
import Synchronization
import TestSupport
import Testing

/// `/metrics` through nginx: counts aggregated over every worker process and generation, kept
/// when a worker is killed, in valid Prometheus text.
@Suite(.serialized) struct MetricsEndpointTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    /// `series → value` of an exposition.
    static func values(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    static let sleepSeries = #"tm_http_requests_total{method="GET",route="/_diag/sleep",status="200"}"#

    /// Sends `count` requests to `/_diag/sleep` from 8 threads, a connection each; returns the
    /// pids that answered and how many failed.
    func load(_ pool: PrivatePool, count: Int) -> (pids: Set<Int>, failures: Int) {
        let pids = Mutex<Set<Int>>([])
        let failures = Mutex(0)
        let port = pool.port
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<(count / 8) {
                let client = TestHTTPClient(port: port)
                defer { client.disconnect() }
                guard let answer = try? client.send("GET", "/_diag/sleep?ms=2"), answer.status == 200,
                    let pid = answer.json["pid"] as? Int
                else {
                    failures.withLock { $0 += 1 }
                    continue
                }
                pids.withLock { _ = $0.insert(pid) }
            }
        }
        return (pids.withLock { $0 }, failures.withLock { $0 })
    }

    /// Requests served by processes that are then killed with `kill -9`, and requests served
    /// by their replacements and the others: `/metrics` (from any process) counts every one.
    @Test func countsEveryRequestAcrossWorkersAndKeepsThemWhenWorkersAreKilled() throws {
        let pool = try PrivatePool(stack: stack, workers: 3, threads: 2)
        defer { pool.stop() }
        let before = Self.values(try pool.client().send("GET", "/metrics").text)[Self.sleepSeries] ?? 0
        let first = load(pool, count: 120)
        #expect(first.failures == 0)
        let counted = Self.values(try pool.client().send("GET", "/metrics").text)
        #expect((counted[Self.sleepSeries] ?? 0) - before == 120)

        // kill -9 every process that served them: their counts stay, their restarts are counted.
        for pid in first.pids { kill(pid_t(pid), SIGKILL) }
        #expect(pool.wait(seconds: 15) { pool.workerPIDs().count == 3 && pool.workerPIDs().isDisjoint(with: Set(first.pids.map { pid_t($0) })) })
        let survived = Self.values(try pool.client().send("GET", "/metrics").text)
        #expect(survived[Self.sleepSeries] == counted[Self.sleepSeries])
        #expect((survived["tm_pool_worker_restarts_total"] ?? 0) >= Double(first.pids.count))

        let second = load(pool, count: 120)
        #expect(second.failures == 0)
        #expect(second.pids.isDisjoint(with: first.pids), "the killed processes cannot have answered")
        let scrape = try pool.client().send("GET", "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        let after = Self.values(scrape.text)
        #expect((after[Self.sleepSeries] ?? 0) - before == 240)
        #expect((after[#"tm_http_request_duration_seconds_count{method="GET",route="/_diag/sleep"}"#] ?? 0) >= 240)
        #expect(after["tm_pool_workers"] == 3)
    }

    @Test func theExpositionParsesAsPrometheusText() throws {
        let client = stack.client()
        _ = try client.send("GET", "/health")
        _ = try client.send("GET", "/api/v1/status")
        let text = try client.send("GET", "/metrics").text
        let venv = try #require(ProcessInfo.processInfo.environment["TM_TEST_VENV"])
        let file = NSTemporaryDirectory() + "tm-metrics-\(UUID().uuidString).txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            names = {f.name: f.type for f in text_string_to_metric_families(open(sys.argv[1]).read())}
            for name in sorted(names): print(name, names[name])
            """
        let parsed = try TestStack.run([venv + "/bin/python", "-c", script, file])
        #expect(parsed.status == 0, "\(parsed.output)")
        for family in [
            "tm_http_requests counter", "tm_http_request_duration_seconds histogram", "tm_db_query_duration_seconds histogram",
            "tm_redis_command_duration_seconds histogram", "tm_pool_busy_threads gauge", "tm_jobs_queue_depth gauge",
            "process_cpu_seconds counter", "process_resident_memory_bytes gauge", "process_open_fds gauge",
            "process_start_time_seconds gauge", "tm_active_users gauge", "tm_db_server_connections gauge",
            "tm_redis_connected_clients gauge", "tm_db_connections_opened counter", "tm_scrape_database_up gauge",
        ] {
            #expect(parsed.output.contains(family), "\(family) in \(parsed.output)")
        }
    }

    /// The pool's `process_*` figures are its master's and workers' together; the business
    /// gauges follow what happened (a login counts as an active user).
    @Test func processAndBusinessFiguresCoverThePool() throws {
        let fx = try AuthFixtures()
        _ = try fx.login(try fx.createWithCLI(role: "user"))
        let values = Self.values(try stack.client().send("GET", "/metrics").text)
        let master = try #require(
            Int(try String(contentsOfFile: stack.state + "/run/tm.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The master's start time (from /proc/<pid>/stat), as ps reports it.
        let ps = try TestStack.run(["ps", "-o", "etimes=", "-p", String(master)])
        let elapsed = try #require(Double(ps.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(ps.output)")
        let started = try #require(values["process_start_time_seconds"])
        #expect(abs(Date().timeIntervalSince1970 - elapsed - started) < 3, "start \(started), master up \(elapsed) s")
        // Master + 2 workers: well over one worker's 9 MB, under a few hundred.
        let rss = try #require(values["process_resident_memory_bytes"])
        #expect(rss > 20_000_000 && rss < 1_000_000_000, "\(rss)")
        #expect((values["process_open_fds"] ?? 0) > 10)
        #expect((values[#"tm_active_users{window="1h"}"#] ?? 0) >= 1)
        #expect(values["tm_scrape_database_up"] == 1)
        #expect((values["tm_redis_connected_clients"] ?? 0) >= 1)
    }
}
