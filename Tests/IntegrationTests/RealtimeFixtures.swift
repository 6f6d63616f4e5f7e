import Foundation
import Security
import TestSupport
import Testing

/// Jobs, tickets and real subscribers (Tests/realtime/rt_client.py: a `websockets` WebSocket
/// client and a socket-level EventSource client) for the real-time tests.
struct RealtimeFixtures {
    let fx: AuthFixtures
    let scratch: String

    /// Cancels jobs an earlier test left unfinished, so this test's worker runs only its own.
    init() throws {
        fx = try AuthFixtures()
        let cleanup = try TestStack.run([
            "psql", fx.stack.databaseURL, "-qc",
            """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE status IN ('queued', 'running')
            """,
        ])
        try #require(cleanup.status == 0, "\(cleanup.output)")
        scratch = NSTemporaryDirectory() + "tm-realtime-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// A new signed-in user: their bearer header and id.
    func user() throws -> (auth: [String: String], id: Int) {
        let auth = try fx.login(try fx.register()).bearer
        return (auth, try #require(try fx.client.send("GET", "/api/v1/auth/me", headers: auth).json["id"] as? Int))
    }

    /// The pinned test venv's Python (it has `websockets`).
    var python: String {
        (ProcessInfo.processInfo.environment["TM_TEST_VENV"] ?? fx.stack.repo + "/scripts/.venv") + "/bin/python"
    }

    /// Enqueues one job of `kind` for `owner` with `tm jobs enqueue`; its id.
    func enqueue(_ kind: String, payload: String = "{}", owner: Int) throws -> Int {
        let result = try TestStack.run(
            [fx.stack.binary, "jobs", "enqueue", kind, "--payload", payload, "--owner", String(owner)],
            environment: ["TM_ENV_FILE": fx.stack.envFile])
        try #require(result.status == 0, "tm jobs enqueue: \(result.output)")
        return try #require(result.output.split(separator: "\n").compactMap { Int($0) }.last)
    }

    /// `POST /api/v1/realtime/tickets`.
    func tickets(_ headers: [String: String], _ channels: [String]) throws -> TestResponse {
        try fx.client.send("POST", "/api/v1/realtime/tickets", headers: headers, json: ["channels": channels])
    }

    /// The signed path of a ticket for `channel`.
    func ticketPath(_ headers: [String: String], _ channel: String) throws -> String {
        let response = try tickets(headers, [channel])
        try #require(response.status == 200, "tickets: \(response.status) \(response.text)")
        let tickets = try #require(response.json["tickets"] as? [[String: Any]])
        return try #require(tickets.first?["eventsource_url"] as? String)
    }

    /// The key nginx checks signatures with (the stack's TM_REALTIME_SECRET).
    func secret() throws -> String {
        try String(contentsOfFile: fx.stack.state + "/secrets/realtime_secret", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A path signed by the test itself with nginx's rule, valid until `expires`, for ticket
    /// id `tid` (a new random one by default).
    func signedPath(_ channel: String, expires: Int, key: String, tid: String? = nil) throws -> String {
        let id = try tid ?? Base64URL.encode(SecureRandom.bytes(count: 16))
        let signature = Base64URL.encode(MD5.hash(Array("\(expires):\(channel):\(id):\(key)".utf8)))
        return "/api/v1/realtime/channels/\(channel)?expires=\(expires)&tid=\(id)&sig=\(signature)"
    }

    /// A `tm worker` (one job thread) of the stack, listening.
    func worker() throws -> TestWorker {
        let worker = try TestWorker(stack: fx.stack, concurrency: 1)
        try worker.waitUntilListening()
        return worker
    }

    /// Polls `GET /api/v1/jobs/:id` until its status is `status`; throws after `seconds`.
    func waitForJob(_ id: Int, status: String, headers: [String: String], seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let job = try fx.client.send("GET", "/api/v1/jobs/\(id)", headers: headers)
            if job.json["status"] as? String == status { return }
            usleep(100_000)
        }
        throw TestHTTPError(description: "job \(id) did not reach \(status) within \(seconds) s")
    }

    /// Writes `path` where a subscriber reads its URL (on every reconnect).
    func urlFile(_ path: String) throws -> String {
        let file = scratch + "/url-\(UUID().uuidString.prefix(8))"
        try path.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Starts a subscriber (`ws` or `sse`) on the URL in `urlFile`.
    func subscribe(_ mode: String, urlFile: String, _ options: [String] = []) throws -> Subscriber {
        let output = scratch + "/\(mode)-\(UUID().uuidString.prefix(8)).out"
        let script = fx.stack.repo + "/Tests/realtime/rt_client.py"
        let pid = try Subprocess.spawn(
            [python, script, mode, fx.stack.baseURL, urlFile] + options,
            environment: ProcessInfo.processInfo.environment, outputPath: output)
        return Subscriber(pid: pid, output: output)
    }
}

/// A running rt_client.py and what it printed.
final class Subscriber {
    let pid: pid_t
    let output: String
    private var exited: Int32?

    init(pid: pid_t, output: String) {
        self.pid = pid
        self.output = output
    }

    deinit {
        if exited == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 5)
        }
    }

    var text: String { String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self) }

    /// Waits until it has connected `count` times.
    func waitConnected(count: Int = 1, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while text.split(separator: "\n").filter({ $0 == "connected" }).count < count {
            if Date() > deadline { throw TestHTTPError(description: "subscriber did not connect: \(text)") }
            usleep(20_000)
        }
    }

    /// Waits for it to exit; its status.
    @discardableResult
    func finish(seconds: Double = 30) -> Int32? {
        if exited == nil { exited = Subprocess.wait(pid, seconds: seconds) }
        if exited == nil {
            kill(pid, SIGKILL)
            exited = Subprocess.wait(pid, seconds: 5)
        }
        return exited
    }

    /// The JSON lines it printed.
    var lines: [[String: Any]] {
        text.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// The envelopes received, in order.
    var events: [[String: Any]] { lines.compactMap { $0["event"] as? [String: Any] } }

    /// nchan's id of the last message received.
    var lastID: String? { lines.compactMap { $0["id"] as? String }.last }

    /// The statuses of refused handshakes.
    var refusals: [Int] { lines.compactMap { $0["refused"] as? Int } }
}

extension Array where Element == [String: Any] {
    /// The `seq` of each envelope.
    var seqs: [Int] { compactMap { $0["seq"] as? Int } }
    /// The `type` of each envelope.
    var types: [String] { compactMap { $0["type"] as? String } }
}
