import Foundation
import Synchronization
import Testing
import TestSupport

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

    @Test func countsEveryRequestAcrossWorkersAndKeepsThemWhenAWorkerIsKilled() throws {
        let pool = try PrivatePool(stack: stack, workers: 3, threads: 2)
        defer { pool.stop() }
        let before = Self.values(try pool.client().send("GET", "/metrics").text)[Self.sleepSeries] ?? 0
        let requests = 240
        let pids = Mutex<Set<Int>>([])
        let failures = Mutex(0)
        let port = pool.port
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<(requests / 8) {
                // A connection per request, each long enough (20 ms) that one process's two
                // threads cannot take them all: they spread over the processes.
                let client = TestHTTPClient(port: port)
                defer { client.disconnect() }
                guard let answer = try? client.send("GET", "/_diag/sleep?ms=20"), answer.status == 200,
                      let pid = answer.json["pid"] as? Int else { failures.withLock { $0 += 1 }; continue }
                pids.withLock { _ = $0.insert(pid) }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(pids.withLock { $0.count } >= 2, "every request went to one process")
        let scrape = try pool.client().send("GET", "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        let after = Self.values(scrape.text)
        #expect((after[Self.sleepSeries] ?? 0) - before == Double(requests))
        #expect(after[#"tm_http_request_duration_seconds_count{method="GET",route="/_diag/sleep"}"#] ?? 0 >= Double(requests))
        #expect(after["tm_pool_workers"] == 3)

        // kill -9 a worker: what it counted stays, and the restart is counted.
        let victim = try #require(pool.workerPIDs().first)
        kill(victim, SIGKILL)
        #expect(pool.wait(seconds: 10) { pool.workerPIDs().count == 3 && !pool.workerPIDs().contains(victim) })
        let survived = Self.values(try pool.client().send("GET", "/metrics").text)
        #expect(survived[Self.sleepSeries] == after[Self.sleepSeries])
        #expect((survived["tm_pool_worker_restarts_total"] ?? 0) >= 1)
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
        for family in ["tm_http_requests counter", "tm_http_request_duration_seconds histogram", "tm_db_query_duration_seconds histogram",
                       "tm_redis_command_duration_seconds histogram", "tm_pool_busy_threads gauge", "tm_jobs_queue_depth gauge"] {
            #expect(parsed.output.contains(family), "\(family) in \(parsed.output)")
        }
    }
}
