import Foundation
import TestSupport
import Testing

/// Real-time push through nginx (nchan): tickets, WebSocket and EventSource subscribers,
/// resuming from the buffer, refusals, and a Redis outage.
@Suite(.serialized) struct RealtimeTests {
    let rt: RealtimeFixtures
    var fx: AuthFixtures { rt.fx }
    init() throws { rt = try RealtimeFixtures() }

    /// Checks that `events` are one job's, numbered without gaps, from `running` to `succeeded`.
    func expectJobStream(_ events: [[String: Any]], job: Int, _ label: String) {
        let seqs = events.seqs
        #expect(seqs.count == events.count && seqs.count >= 4, "\(label): \(events)")
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(label): seq has gaps or is out of order: \(seqs)")
        #expect(events.allSatisfy { $0["channel"] as? String == "job:\(job)" }, "\(label)")
        #expect(events.allSatisfy { ($0["data"] as? [String: Any])?["id"] as? Int == job }, "\(label)")
        #expect(events.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true }, "\(label)")
        #expect(
            events.types.first == "job.status" && (events.first?["data"] as? [String: Any])?["status"] as? String == "running",
            "\(label): \(events.types)")
        #expect(events.types.dropFirst().dropLast().allSatisfy { $0 == "job.progress" }, "\(label): \(events.types)")
        #expect((events.last?["data"] as? [String: Any])?["status"] as? String == "succeeded", "\(label)")
    }

    @Test func webSocketAndEventSourceReceiveAJobsEventsInOrder() throws {
        let (alice, aliceID) = try rt.user()
        let job = try rt.enqueue("diag.sleep", payload: #"{"ms": 1500}"#, owner: aliceID)
        // A ticket opens one connection: one each.
        let ws = try rt.subscribe("ws", urlFile: try rt.urlFile(try rt.ticketPath(alice, "job:\(job)")), ["--until", "job.status:succeeded"])
        let sse = try rt.subscribe("sse", urlFile: try rt.urlFile(try rt.ticketPath(alice, "job:\(job)")), ["--until", "job.status:succeeded"])
        try ws.waitConnected()
        try sse.waitConnected()
        let worker = try rt.worker()
        defer { worker.stop() }
        #expect(ws.finish() == 0 && sse.finish() == 0)
        expectJobStream(ws.events, job: job, "WebSocket")
        expectJobStream(sse.events, job: job, "EventSource")
        #expect(ws.events.seqs == sse.events.seqs, "both transports get the same messages")
    }

    /// Two `tm worker` processes publish on one user channel at the same moments: the
    /// subscriber still gets every event once, numbered without gaps, in order (the Redis
    /// script numbers and publishes in one step, and the bus keeps that order).
    @Test func eventsOfTwoWorkersOnOneChannelArriveNumberedAndInOrder() throws {
        let (alice, aliceID) = try rt.user()
        let subscriber = try rt.subscribe("ws", urlFile: try rt.urlFile(try rt.ticketPath(alice, "user")), ["--timeout", "60"])
        try subscriber.waitConnected()
        let jobs = try (0..<6).map { _ in try rt.enqueue("diag.sleep", payload: #"{"ms": 400}"#, owner: aliceID) }
        let first = try rt.worker()
        let second = try rt.worker()
        defer {
            first.stop()
            second.stop()
        }
        for job in jobs { try rt.waitForJob(job, status: "succeeded", headers: alice) }
        usleep(1_000_000)
        subscriber.finish(seconds: 0.5)
        let events = subscriber.events
        let seqs = events.seqs
        #expect(seqs.count == events.count && seqs.count >= 2 * jobs.count, "\(subscriber.text)")
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "seq has gaps or is out of order: \(seqs)")
        let finished = events.filter { $0["type"] as? String == "job.status" }
            .compactMap { $0["data"] as? [String: Any] }.filter { $0["status"] as? String == "succeeded" }.compactMap { $0["id"] as? Int }
        #expect(finished.sorted() == jobs.sorted(), "every job's end arrived once: \(finished)")
    }

    @Test func aClientThatReconnectsWithItsLastIDGetsWhatItMissed() throws {
        let (alice, aliceID) = try rt.user()
        let job = try rt.enqueue("diag.sleep", payload: #"{"ms": 1500}"#, owner: aliceID)
        let ws = try rt.subscribe("ws", urlFile: try rt.urlFile(try rt.ticketPath(alice, "job:\(job)")), ["--count", "3"])
        let sse = try rt.subscribe("sse", urlFile: try rt.urlFile(try rt.ticketPath(alice, "job:\(job)")), ["--count", "3"])
        try ws.waitConnected()
        try sse.waitConnected()
        let worker = try rt.worker()
        defer { worker.stop() }
        #expect(ws.finish() == 0 && sse.finish() == 0)
        // Both left after three events; the job goes on without them.
        try rt.waitForJob(job, status: "succeeded", headers: alice)
        for (mode, first) in [("ws", ws), ("sse", sse)] {
            let lastID = try #require(first.lastID, "\(mode): \(first.text)")
            let lastSeq = try #require(first.events.seqs.last)
            // A reconnect takes a new ticket (the first one is spent) and names where it stopped.
            let url = try rt.urlFile(try rt.ticketPath(alice, "job:\(job)"))
            let again = try rt.subscribe(mode, urlFile: url, ["--until", "job.status:succeeded", "--last-id", lastID, "--timeout", "10"])
            #expect(again.finish() == 0)
            let resumed = again.events
            #expect(resumed.seqs.first == lastSeq + 1, "\(mode): resumed at \(resumed.seqs) after \(lastSeq)")
            expectJobStream(first.events + resumed, job: job, "\(mode) before and after reconnecting")
        }
    }

    @Test func ticketsAreOnlyForTheCallersChannels() throws {
        let (alice, aliceID) = try rt.user()
        let bob = try fx.login(try fx.register()).bearer
        let job = try rt.enqueue("diag.noop", owner: aliceID)

        let mine = try rt.tickets(alice, ["user", "job:\(job)", "user"])
        #expect(mine.status == 200, "\(mine.text)")
        let tickets = try #require(mine.json["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["channel"] as? String } == ["user:\(aliceID)", "job:\(job)"])
        for ticket in tickets {
            let path = try #require(ticket["websocket_url"] as? String)
            #expect(path == ticket["eventsource_url"] as? String)
            #expect(path.hasPrefix("/api/v1/realtime/channels/\(ticket["channel"]!)?expires="))
            let expires = try #require((ticket["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(expires.timeIntervalSinceNow > 50 && expires.timeIntervalSinceNow <= 61)
        }
        // Another user's channel is a 404 for the whole request; nothing is signed.
        for channels in [["job:\(job)"], ["user", "job:\(job)"], ["user:\(aliceID)"], ["job:999999999"], ["run:999999999"], ["training:999999999"]] {
            let other = try rt.tickets(bob, channels)
            #expect(other.status == 404, "\(channels): \(other.status) \(other.text)")
            #expect(other.header("content-type") == "application/problem+json")
            #expect(!other.text.contains("sig="))
        }
        for channels in [[], ["job:abc"], ["job:0"], ["job:-1"], ["jobs:1"], ["training:0"], Array(repeating: "user", count: 21)] {
            #expect(try rt.tickets(bob, channels).status == 422, "\(channels)")
        }
        #expect(try fx.client.send("POST", "/api/v1/realtime/tickets", json: ["channels": ["user"]]).status == 401)
    }

    @Test func nginxRefusesMissingTamperedAndExpiredTickets() throws {
        let (alice, aliceID) = try rt.user()
        let path = try rt.ticketPath(alice, "user:\(aliceID)")
        let key = try rt.secret()
        let now = Int(Date().timeIntervalSince1970)
        let signature = String(path[path.range(of: "sig=")!.upperBound...])
        var tampered = signature
        tampered.replaceSubrange(tampered.startIndex...tampered.startIndex, with: signature.hasPrefix("A") ? "B" : "A")
        let refused = [
            "/api/v1/realtime/channels/user:\(aliceID)",  // no ticket
            path.replacingOccurrences(of: "sig=" + signature, with: "sig=" + tampered),  // tampered signature
            path.replacingOccurrences(of: "user:\(aliceID)", with: "user:\(aliceID + 1)"),  // another channel
            path.replacingOccurrences(of: "expires=", with: "expires=9"),  // another expiry
            try rt.signedPath("user:\(aliceID)", expires: now - 5, key: key),  // expired
            try rt.signedPath("user:\(aliceID)", expires: now + 60, key: "not-the-key"),  // wrong key
            path.replacingOccurrences(of: "tid=", with: "tid=A"),  // another ticket id
        ]
        for bad in refused {
            let response = try fx.client.send("GET", bad, headers: ["Accept": "text/event-stream"])
            #expect(response.status == 403, "\(bad): \(response.status)")
            #expect(response.header("content-type") == "application/problem+json")
            // It says what to do, and its instance is the path without the ticket.
            #expect((response.json["detail"] as? String)?.contains("POST /api/v1/realtime/tickets") == true, "\(response.text)")
            let instance = response.json["instance"] as? String ?? ""
            #expect(instance.hasPrefix("/api/v1/realtime/channels/") && !instance.contains("?"), "\(response.text)")
            for mode in ["ws", "sse"] {
                let client = try rt.subscribe(mode, urlFile: try rt.urlFile(bad), ["--timeout", "5"])
                client.finish()
                #expect(client.refusals == [403], "\(mode) \(bad): \(client.text)")
            }
        }
        // CORS: nchan answers an allowed origin with it (once); another origin is refused before
        // nchan (whose own refusal was an empty 403) with a problem, and its ticket is not spent.
        func headers(_ origin: String, path: String? = nil) throws -> String {
            try TestStack.run([
                "curl", "-s", "-D", "-", "--max-time", "1", "-H", "Accept: text/event-stream",
                "-H", "Origin: \(origin)", fx.stack.baseURL + (try path ?? rt.ticketPath(alice, "user:\(aliceID)")),
            ]).output
        }
        let allowed = try headers("http://localhost:3000").lowercased()
        #expect(allowed.hasPrefix("http/1.1 200"), "\(allowed)")
        #expect(allowed.components(separatedBy: "access-control-allow-origin: http://localhost:3000").count == 2, "\(allowed)")
        let ticket = try rt.ticketPath(alice, "user:\(aliceID)")
        let foreign = try headers("https://evil.example", path: ticket)
        #expect(
            foreign.lowercased().hasPrefix("http/1.1 403") && foreign.lowercased().contains("content-type: application/problem+json"), "\(foreign)")
        #expect(foreign.contains("CORS_ORIGINS") && foreign.contains(#""instance":"/api/v1/realtime/channels/user:"#), "\(foreign)")
        #expect(!foreign.lowercased().contains("access-control-allow-origin"), "\(foreign)")
        #expect(try headers("http://localhost:3000", path: ticket).lowercased().hasPrefix("http/1.1 200"), "the refused ticket still opens")
        // The test's own signing is nginx's rule: the same path with a live expiry opens.
        let valid = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.signedPath("user:\(aliceID)", expires: now + 60, key: key)),
            ["--timeout", "2"])
        try valid.waitConnected()
        valid.finish()
        #expect(valid.refusals.isEmpty)
    }

    @Test func anOpenConnectionOutlivesItsTicket() throws {
        let (alice, aliceID) = try rt.user()
        let expires = Int(Date().timeIntervalSince1970) + 2
        let url = try rt.urlFile(try rt.signedPath("user:\(aliceID)", expires: expires, key: try rt.secret()))
        let ws = try rt.subscribe("ws", urlFile: url, ["--until", "job.status:succeeded", "--timeout", "30"])
        try ws.waitConnected()
        while Date().timeIntervalSince1970 < Double(expires + 1) { usleep(100_000) }
        let expired = try fx.client.send("GET", try String(contentsOfFile: url, encoding: .utf8), headers: ["Accept": "text/event-stream"])
        #expect(expired.status == 403, "the ticket has expired")
        let job = try rt.enqueue("diag.noop", owner: aliceID)
        let worker = try rt.worker()
        defer { worker.stop() }
        #expect(ws.finish() == 0)
        #expect(ws.events.contains { ($0["data"] as? [String: Any])?["id"] as? Int == job }, "\(ws.text)")
        #expect(ws.events.allSatisfy { $0["channel"] as? String == "user:\(aliceID)" })
    }

    /// A ticket opens one connection: the same URL again (a browser's own EventSource
    /// reconnect sends it) is a 403 problem, a new ticket connects; and nginx's access log
    /// has the subscriptions without their tickets.
    @Test func aTicketOpensOneConnectionAndStaysOutOfTheAccessLog() throws {
        let (alice, aliceID) = try rt.user()
        let path = try rt.ticketPath(alice, "user")
        let first = try rt.subscribe("sse", urlFile: try rt.urlFile(path), ["--timeout", "2"])
        try first.waitConnected()
        // (curl with a deadline: an accepted ticket would open a stream that never ends)
        let again = try TestStack.run([
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", "--max-time", "2", "-H", "Accept: text/event-stream",
            fx.stack.baseURL + path,
        ]).output
        #expect(again == "403 application/problem+json", "a used ticket: \(again)")
        for mode in ["ws", "sse"] {
            let client = try rt.subscribe(mode, urlFile: try rt.urlFile(path), ["--timeout", "5"])
            client.finish()
            #expect(client.refusals == [403], "\(mode): \(client.text)")
        }
        first.finish()
        #expect(first.refusals.isEmpty, "\(first.text)")
        let fresh = try rt.subscribe("ws", urlFile: try rt.urlFile(try rt.ticketPath(alice, "user")), ["--timeout", "2"])
        try fresh.waitConnected()
        fresh.finish()
        #expect(fresh.refusals.isEmpty, "\(fresh.text)")

        let signature = String(path[path.range(of: "sig=")!.upperBound...])
        let ticketID = String(path[path.range(of: "tid=")!.upperBound...].prefix { $0 != "&" })
        var lines: [Substring] = []
        for _ in 0..<40 where lines.count < 5 {  // the access log is buffered (flush=1s)
            usleep(100_000)
            let log = (try? String(contentsOfFile: fx.stack.state + "/log/nginx-access.log", encoding: .utf8)) ?? ""
            lines = log.split(separator: "\n").filter { $0.contains("/api/v1/realtime/channels/user:\(aliceID)") }
        }
        #expect(lines.count >= 5, "the subscriptions are logged: \(lines)")
        #expect(lines.allSatisfy { $0.contains("\"uri\":\"/api/v1/realtime/channels/user:\(aliceID)\"") }, "\(lines)")
        let log = try String(contentsOfFile: fx.stack.state + "/log/nginx-access.log", encoding: .utf8)
        #expect(!log.contains(signature) && !log.contains(ticketID), "the access log holds the ticket")
        #expect(lines.allSatisfy { !$0.contains("sig=") && !$0.contains("tid=") }, "\(lines)")
    }
}
