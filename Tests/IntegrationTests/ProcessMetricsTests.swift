import Foundation
import TestSupport
import Testing

/// `tm worker`'s and `tm relay`'s own Prometheus endpoints (TM_WORKER_METRICS_LISTEN,
/// TM_RELAY_METRICS_LISTEN, here on port 0 so the kernel picks a free one): a job is counted
/// once it ran, a retried attempt as retried, the relay counts what it delivered, and both
/// export the `process_*` family read from /proc.
@Suite(.serialized) struct ProcessMetricsTests {
    let fx: AuthFixtures

    init() throws {
        fx = try AuthFixtures()
    }

    /// The port a process logged in its `metrics listening` line.
    static func metricsPort(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("\"metrics listening\"") {
            if let range = line.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                return Int(line[range].split(separator: ":")[1])
            }
        }
        return nil
    }

    static func waitForPort(_ log: () -> String, seconds: Double = 10) throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let port = metricsPort(in: log()) { return port }
            usleep(50_000)
        }
        throw TestHTTPError(description: "no metrics listening line: \(log())")
    }

    /// `GET path` with curl: (status, body).
    static func get(_ port: Int, _ path: String = "/metrics") throws -> (status: Int, body: String) {
        let result = try TestStack.run(["curl", "-s", "-m", "5", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The value of one series line (`name{labels} value`).
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func theWorkerCountsAJobAfterItRuns() throws {
        let owner = try fx.createWithCLI(role: "user")
        let worker = try TestWorker(
            stack: fx.stack, concurrency: 2,
            environment: ["TM_WORKER_METRICS_LISTEN": "127.0.0.1:0", "TM_JOB_BACKOFF_MS": "10"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let port = try Self.waitForPort { worker.log }
        let before = try Self.get(port)
        #expect(before.status == 200)
        #expect(Self.value(before.body, #"tm_worker_jobs_claimed_total{kind="diag.noop"}"#) == nil)
        #expect(Self.value(before.body, "tm_worker_threads") == 2)

        let enqueued = try TestStack.run(
            [fx.stack.binary, "jobs", "enqueue", "diag.noop", "--owner", String(owner.id)], environment: ["TM_ENV_FILE": fx.stack.envFile])
        let id = try #require(Int(enqueued.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(enqueued.output)")
        let failing = try TestStack.run(
            [fx.stack.binary, "jobs", "enqueue", "diag.fail", "--payload", #"{"failures": 1}"#, "--owner", String(owner.id)],
            environment: ["TM_ENV_FILE": fx.stack.envFile])
        let failingID = try #require(Int(failing.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(failing.output)")
        let deadline = Date().addingTimeInterval(20)
        var states = ""
        while Date() < deadline {
            states = try fx.stack.sql("SELECT string_agg(status, ',' ORDER BY id) FROM jobs WHERE id IN (\(id), \(failingID))")
            if states == "succeeded,succeeded" { break }
            usleep(50_000)
        }
        #expect(states == "succeeded,succeeded")

        let after = try Self.get(port)
        #expect(after.status == 200)
        #expect(after.body.contains("# TYPE tm_worker_jobs_claimed_total counter"))
        #expect(Self.value(after.body, #"tm_worker_jobs_claimed_total{kind="diag.noop"}"#) == 1, "\(after.body)")
        #expect(Self.value(after.body, #"tm_worker_jobs_succeeded_total{kind="diag.noop"}"#) == 1)
        #expect(Self.value(after.body, #"tm_worker_job_duration_seconds_count{kind="diag.noop"}"#) == 1)
        // diag.fail failed its first attempt (retried after the backoff), then succeeded.
        #expect(Self.value(after.body, #"tm_worker_jobs_claimed_total{kind="diag.fail"}"#) == 2)
        #expect(Self.value(after.body, #"tm_worker_jobs_retried_total{kind="diag.fail"}"#) == 1)
        #expect(Self.value(after.body, #"tm_worker_jobs_succeeded_total{kind="diag.fail"}"#) == 1)
        #expect(Self.value(after.body, #"tm_worker_jobs_failed_total{kind="diag.fail"}"#) == nil)
        #expect(Self.value(after.body, "tm_worker_busy_threads") == 0)
        #expect(Self.value(after.body, "tm_jobs_queue_depth") != nil)
        #expect(Self.value(after.body, "tm_jobs_oldest_queued_age_seconds") != nil)
        #expect(Self.value(after.body, "tm_scrape_database_up") == 1)
        #expect((Self.value(after.body, "tm_db_connections_opened_total") ?? 0) >= 1)
        #expect(Self.value(after.body, #"tm_active_users{window="24h"}"#) != nil)
        // The process figures are this worker's, from /proc.
        let started = try #require(Self.value(after.body, "process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 120)
        let rss = try #require(Self.value(after.body, "process_resident_memory_bytes"))
        #expect(rss > 1_048_576 && rss < 2_147_483_648)
        #expect((Self.value(after.body, "process_open_fds") ?? 0) >= 3)
        #expect(Self.value(after.body, "process_cpu_seconds_total") != nil)
        // Only /metrics is served.
        #expect(try Self.get(port, "/").status == 404)
    }

    @Test func theRelayCountsWhatItDelivers() throws {
        // A second relay beside the stack's: nginx gets these events twice meanwhile, which
        // no test running now (one at a time) looks at.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tm-relay-\(UUID().uuidString.prefix(8)).log").path
        var env = ProcessInfo.processInfo.environment
        env["TM_ENV_FILE"] = fx.stack.envFile
        env["TM_RELAY_METRICS_LISTEN"] = "127.0.0.1:0"
        let pid = try Subprocess.spawn([fx.stack.binary, "relay"], environment: env, outputPath: log)
        defer {
            kill(pid, SIGTERM)
            _ = Subprocess.wait(pid, seconds: 5)
            try? FileManager.default.removeItem(atPath: log)
        }
        let read = { String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self) }
        let port = try Self.waitForPort(read)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !read().contains("relay subscribed") { usleep(50_000) }
        #expect(Self.value(try Self.get(port).body, "tm_relay_subscribed") == 1)
        // A job's status changes are events: a worker runs one.
        let owner = try fx.createWithCLI(role: "user")
        let worker = try TestWorker(stack: fx.stack, concurrency: 1, environment: ["TM_WORKER_METRICS_LISTEN": "off"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        _ = try TestStack.run(
            [fx.stack.binary, "jobs", "enqueue", "diag.noop", "--owner", String(owner.id)], environment: ["TM_ENV_FILE": fx.stack.envFile])
        var relayed = 0.0
        let until = Date().addingTimeInterval(15)
        var body = ""
        while Date() < until {
            body = try Self.get(port).body
            relayed = Self.value(body, "tm_relay_events_relayed_total") ?? 0
            if relayed >= 2 { break }
            usleep(100_000)
        }
        #expect(relayed >= 2, "\(body)")
        #expect((Self.value(body, "tm_relay_lag_seconds_count") ?? 0) >= 2)
        #expect(Self.value(body, "process_start_time_seconds") != nil)
        // nchan's store, read from the publisher socket's stub status: its size is
        // nginx/render's REALTIME_MEMORY_MB (128 by default), and it holds the job's events.
        #expect(Self.value(body, "tm_realtime_store_limit_bytes") == Double(128 * 1_048_576), "\(body)")
        #expect((Self.value(body, "tm_realtime_store_used_bytes") ?? 0) > 0)
        #expect((Self.value(body, "tm_realtime_stored_messages") ?? 0) >= 2)
        #expect((Self.value(body, "tm_realtime_channels") ?? 0) >= 1)
        #expect(!worker.log.contains("\"metrics listening\""))
    }
}
