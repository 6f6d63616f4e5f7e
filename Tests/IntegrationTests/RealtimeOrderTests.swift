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
}
