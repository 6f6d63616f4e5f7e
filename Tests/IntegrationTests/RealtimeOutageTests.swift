import Foundation
import TestSupport
import Testing

/// With Redis down, publishing drops events (logged and counted) without blocking or failing
/// requests and jobs; subscribers get events again once Redis is back (the relay subscribes
/// again by itself), nothing reaches a connection it does not belong to, and nginx reloads
/// cleanly afterwards (with nchan's own Redis client, 1.3.6 wrote Redis commands into reused
/// client descriptors after an outage and reloaded workers crashed). Stops the stack's Redis
/// and always restarts it.
@Suite(.serialized) struct RealtimeOutageTests {
    let rt: RealtimeFixtures
    var fx: AuthFixtures { rt.fx }
    init() throws { rt = try RealtimeFixtures() }

    /// The pool's `tm_realtime_events_dropped_total`, of one `reason` or of all.
    func droppedCount(reason: String? = nil) throws -> Double {
        let text = try fx.client.send("GET", "/metrics").text
        return text.split(separator: "\n").filter { $0.hasPrefix("tm_realtime_events_dropped_total{") }
            .filter { line in reason.map { line.contains("reason=\"\($0)\"") } ?? true }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// Without a `tm relay` on the bus, publishing still answers at once, and each event
    /// (one per channel) is counted as dropped for `no_relay`; once the relay is back,
    /// subscribers get events again.
    @Test func withoutARelayEventsAreCountedAsDroppedAndComeBackWithIt() throws {
        let (auth, userID) = try rt.user()
        let before = try droppedCount(reason: "no_relay")
        try fx.stack.control("relay", "stop")
        do {
            defer { try? fx.stack.control("relay", "start") }
            let queued = try rt.enqueue("diag.noop", owner: userID)
            let start = Date()
            #expect(try fx.client.send("POST", "/api/v1/jobs/\(queued)/cancel", headers: auth).status == 200)
            #expect(Date().timeIntervalSince(start) < 1)
            // job.status on job:{id} and user:{id}: two events, both dropped.
            let deadline = Date().addingTimeInterval(5)
            while try droppedCount(reason: "no_relay") < before + 2 && Date() < deadline { usleep(50_000) }
            #expect(try droppedCount(reason: "no_relay") >= before + 2)
        }
        let subscriber = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(auth, "user")),
            ["--until", "job.status:cancelled", "--timeout", "20"])
        try subscriber.waitConnected()
        let next = try rt.enqueue("diag.noop", owner: userID)
        #expect(try fx.client.send("POST", "/api/v1/jobs/\(next)/cancel", headers: auth).status == 200)
        #expect(subscriber.finish(seconds: 20) == 0, "\(subscriber.text)")
        #expect(subscriber.events.contains { ($0["data"] as? [String: Any])?["id"] as? Int == next }, "\(subscriber.text)")
    }

    /// nginx's lines about workers that died (a crash in nchan would show here).
    func deadWorkers() -> Int {
        let log = (try? String(contentsOfFile: fx.stack.state + "/log/nginx-error.log", encoding: .utf8)) ?? ""
        return log.components(separatedBy: "exited on signal").count - 1
    }

    @Test func publishingNeverBlocksWhileRedisIsDownAndSubscribersRecover() throws {
        let deadBefore = deadWorkers()
        let (auth, userID) = try rt.user()
        // Sessions live in Redis; an API key (PostgreSQL) keeps working through the outage.
        let created = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: auth, json: ["name": "rt"])
        let key = ["X-API-Key": try #require(created.json["key"] as? String)]
        let url = try rt.urlFile(try rt.ticketPath(key, "user"))
        let subscriber = try rt.subscribe("ws", urlFile: url, ["--reconnect", "--until", "job.status:succeeded", "--timeout", "90"])
        try subscriber.waitConnected()
        let queued = try rt.enqueue("diag.noop", owner: userID)
        let droppedBefore = try droppedCount()
        // Idle kept connections across the outage: the descriptors a confused Redis client
        // inside nginx would write into.
        let idle = (0..<20).map { _ in TestHTTPClient(port: fx.stack.port) }
        for client in idle { #expect(try client.send("GET", "/health").status == 200) }

        try fx.stack.control("redis", "stop")
        var worker: TestWorker?
        do {
            defer { try? fx.stack.control("redis", "start") }
            // A request that publishes (cancelling a queued job) answers at once.
            let start = Date()
            let cancel = try fx.client.send("POST", "/api/v1/jobs/\(queued)/cancel", headers: key)
            #expect(cancel.status == 200, "\(cancel.text)")
            #expect(Date().timeIntervalSince(start) < 1, "cancel took \(Date().timeIntervalSince(start)) s")
            // A job runs to the end in its usual time; its events are dropped.
            let started = Date()
            worker = try rt.worker()
            let job = try rt.enqueue("diag.sleep", payload: #"{"ms": 500}"#, owner: userID)
            try rt.waitForJob(job, status: "succeeded", headers: key, seconds: 10)
            #expect(Date().timeIntervalSince(started) < 6, "the job took \(Date().timeIntervalSince(started)) s")
            let deadline = Date().addingTimeInterval(5)
            while !(worker?.log.contains("real-time event dropped") ?? false) && Date() < deadline { usleep(50_000) }
            #expect(worker?.log.contains("real-time event dropped") == true, "\(worker?.log ?? "")")
            #expect(try droppedCount() > droppedBefore, "the pool counted its dropped event")
            #expect(subscriber.events.isEmpty, "nothing was delivered while Redis was down")
        }
        defer { worker?.stop() }
        // Redis is back: the subscriber (reconnecting with a fresh ticket when nchan dropped it)
        // gets the events of the next jobs.
        try (try rt.ticketPath(key, "user")).write(toFile: url, atomically: true, encoding: .utf8)
        var recovered = false
        for _ in 0..<20 where !recovered {
            let job = try rt.enqueue("diag.noop", owner: userID)
            try rt.waitForJob(job, status: "succeeded", headers: key)
            let deadline = Date().addingTimeInterval(1.5)
            while Date() < deadline && !recovered {
                recovered = subscriber.events.contains { ($0["data"] as? [String: Any])?["status"] as? String == "succeeded" }
                usleep(50_000)
            }
        }
        #expect(recovered, "\(subscriber.text)")
        subscriber.finish(seconds: 5)
        for client in idle {
            let stray = client.unsolicitedBytes()
            #expect(stray.isEmpty, "an idle client connection received \(String(decoding: stray.prefix(200), as: UTF8.self))")
        }
        #expect(deadWorkers() == deadBefore, "an nginx worker died during the outage")

        // A reload after the outage: new workers serve subscribers and nobody crashes.
        let master = try #require(
            pid_t(
                try String(contentsOfFile: fx.stack.state + "/run/nginx.pid", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(master, SIGHUP) == 0)
        usleep(1_000_000)
        let after = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(key, "user")),
            ["--until", "job.status:succeeded", "--timeout", "30"])
        try after.waitConnected()
        let job = try rt.enqueue("diag.noop", owner: userID)
        try rt.waitForJob(job, status: "succeeded", headers: key)
        #expect(after.finish(seconds: 20) == 0, "\(after.text)")
        #expect(after.events.contains { ($0["data"] as? [String: Any])?["id"] as? Int == job }, "\(after.text)")
        usleep(500_000)
        #expect(deadWorkers() == deadBefore, "an nginx worker died after the reload")
    }
}
