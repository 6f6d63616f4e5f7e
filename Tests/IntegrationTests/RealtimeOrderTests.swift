import Foundation
import Logging
import Realtime
import RedisClient
import Support
import TestSupport
import Testing

/// One order per job for its status events, whichever process publishes them: an event
/// older (by the job's `status_version`) than one already published for the job is dropped,
/// so a subscriber never sees the pool's late `queued` after the worker's `running`. Through
/// the real Redis bus, `tm relay`, nginx/nchan and an EventSource subscriber.
@Suite(.serialized) struct RealtimeOrderTests {
    let rt: RealtimeFixtures

    init() throws {
        rt = try RealtimeFixtures()
    }

    func status(_ job: Int, _ status: String, version: Int64) -> Event {
        Event(
            type: "job.status", channels: ["job:\(job)"],
            data: .object(["id": .integer(Int64(job)), "status": .string(status), "status_version": .integer(version)]),
            order: Event.Order(subject: "job:\(job)", rank: version))
    }

    @Test func aStaleStatusIsNeitherNumberedNorDelivered() throws {
        let (alice, aliceID) = try rt.user()
        // `tm jobs enqueue` publishes the job's first status (queued, version 1); no worker runs it.
        let job = try rt.enqueue("diag.sleep", payload: #"{"ms": 100}"#, owner: aliceID)
        let subscriber = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(alice, "job:\(job)")), ["--until", "job.status:succeeded", "--timeout", "30"])
        try subscriber.waitConnected()
        let redis = try #require(RedisEndpoint(url: rt.fx.stack.redisURL))
        let publisher = RedisEventPublisher(configuration: .init(redis: redis), logger: Logger(label: "test"))
        // The worker's running (version 2) goes out before a publisher's late queued (version 1):
        // the late one is dropped; a repeat of the same version (a cancel request) goes out.
        publisher.publish(status(job, "running", version: 2))
        publisher.publish(status(job, "queued", version: 1))
        publisher.publish(status(job, "running", version: 2))
        publisher.publish(status(job, "succeeded", version: 3))
        #expect(publisher.flush(seconds: 10))
        #expect(subscriber.finish(seconds: 20) == 0, "\(subscriber.text)")
        let events = subscriber.events.filter { $0["type"] as? String == "job.status" }
        let seen = events.compactMap { ($0["data"] as? [String: Any])?["status"] as? String }
        #expect(seen.suffix(3) == ["running", "running", "succeeded"], "\(subscriber.text)")
        #expect(!seen.dropFirst(seen.count - 3).contains("queued"))
        let versions = events.compactMap { ($0["data"] as? [String: Any])?["status_version"] as? Int }
        #expect(zip(versions, versions.dropFirst()).allSatisfy { $1 >= $0 }, "\(versions)")
        let seqs = subscriber.events.seqs
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "numbered without a gap: \(seqs)")
    }

    /// A finished job's status closes its `job:` channel: the channel's sequence number and
    /// the job's rank are then kept only as long as nchan keeps the channel's messages for
    /// replay (the publisher's `replaySeconds`), not 30 days and a day; the owner's `user:`
    /// channel, which lives on, keeps its 30 days. Before, every run and job left its keys
    /// for 30 days (the soak's Redis grew 48 % in 10 minutes).
    @Test func aFinishedJobsChannelKeepsItsNumbersOnlyForTheReplayWindow() throws {
        let redis = try #require(RedisEndpoint(url: rt.fx.stack.redisURL))
        let connection = try RedisConnection(endpoint: redis, timeoutSeconds: 2)
        func ttl(_ key: String) throws -> Int64 {
            guard case .integer(let seconds) = try connection.command(["TTL", key]) else { return -3 }
            return seconds
        }
        // The publisher: an event that closes a channel shortens that channel's keys only.
        let publisher = RedisEventPublisher(configuration: .init(redis: redis, replaySeconds: 120), logger: Logger(label: "test"))
        let job = Int64.random(in: 1_000_000_000...2_000_000_000)
        let owner = Int64.random(in: 1_000_000_000...2_000_000_000)
        func event(_ status: String, version: Int64, closing: Bool) -> Event {
            Event(
                type: "job.status", channels: ["job:\(job)", "user:\(owner)"],
                data: .object(["id": .integer(job), "status": .string(status), "status_version": .integer(version)]),
                order: Event.Order(subject: "job:\(job)", rank: version), closes: closing ? ["job:\(job)"] : [])
        }
        publisher.publish(event("running", version: 2, closing: false))
        #expect(publisher.flush(seconds: 10))
        #expect(try ttl("tm:realtime:seq:job:\(job)") > 29 * 86_400, "a live job's channel keeps its numbers")
        #expect(try ttl("tm:realtime:order:job:\(job)") > 86_000)
        publisher.publish(event("succeeded", version: 3, closing: true))
        #expect(publisher.flush(seconds: 10))
        let seq = try ttl("tm:realtime:seq:job:\(job)")
        #expect(seq > 0 && seq <= 120, "the finished job's channel: \(seq) s")
        let order = try ttl("tm:realtime:order:job:\(job)")
        #expect(order > 0 && order <= 120, "the finished job's rank: \(order) s")
        #expect(try ttl("tm:realtime:seq:user:\(owner)") > 29 * 86_400, "the owner's channel lives on")
        _ = try connection.command(["DEL", "tm:realtime:seq:job:\(job)", "tm:realtime:order:job:\(job)", "tm:realtime:seq:user:\(owner)"])

        // A real job run by a worker: its last status closes job:{id} (the stack's replay
        // window, TM_REALTIME_REPLAY_SECONDS, is 300 s), not the owner's channel.
        let (_, ownerID) = try rt.user()
        let worker = try TestWorker(stack: rt.fx.stack, concurrency: 1, environment: ["TM_WORKER_METRICS_LISTEN": "off"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let real = try rt.enqueue("diag.noop", payload: "{}", owner: ownerID)
        let deadline = Date().addingTimeInterval(20)
        var closed: Int64 = -3
        while Date() < deadline {
            closed = try ttl("tm:realtime:seq:job:\(real)")
            if closed > 0 && closed <= 300 { break }
            usleep(100_000)
        }
        #expect(closed > 0 && closed <= 300, "job:\(real) after its end: \(closed) s")
        #expect(try ttl("tm:realtime:seq:user:\(ownerID)") > 29 * 86_400)
    }
}
