import Foundation
import Models
import Testing

@testable import Realtime

@Suite struct RealtimeChannelTests {
    @Test func parsesOnlyWhatNginxAccepts() {
        #expect(RealtimeChannel("run:12") == RealtimeChannel(kind: .run, id: 12))
        #expect(RealtimeChannel("job:9223372036854775807")?.id == Int64.max)
        #expect(RealtimeChannel("user:7")?.description == "user:7")
        for bad in ["run:0", "run:012", "run:-1", "run:+1", "run:", "run", ":1", "runs:1", "run:1 ", "run:١", "job:9223372036854775808", "RUN:1"] {
            #expect(RealtimeChannel(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct RealtimeSignerTests {
    /// The same digest as nginx's secure_link_md5 "$secure_link_expires:$channel:$arg_tid:$key"
    /// (computed independently with
    /// `printf '1700000000:run:12:AAAAAAAAAAAAAAAAAAAAAA:k3y' | openssl md5 -binary | base64`, made URL-safe).
    @Test func signsAsNginxChecks() throws {
        let signer = RealtimeSigner(key: "k3y", lifetime: 60)
        let channel = RealtimeChannel(kind: .run, id: 12)
        let tid = "AAAAAAAAAAAAAAAAAAAAAA"
        let expected = "bcT5RzZtKRbakDZZ6xcCbg"
        #expect(signer.signature(channel: channel, expires: 1_700_000_000, ticketID: tid) == expected)
        let ticket = try signer.ticket(for: channel, now: Date(timeIntervalSince1970: 1_699_999_940.5))
        let sig = signer.signature(channel: channel, expires: 1_700_000_000, ticketID: ticket.id)
        #expect(ticket.path == "/api/v1/realtime/channels/run:12?expires=1700000000&tid=\(ticket.id)&sig=\(sig)")
        #expect(ticket.id.count == 22 && ticket.id != tid)
        #expect(ticket.expiresAt == Date(timeIntervalSince1970: 1_700_000_000))
        // Two tickets for one channel in the same second differ (each is spent on its own).
        #expect(try signer.ticket(for: channel, now: Date(timeIntervalSince1970: 1_699_999_940.5)).path != ticket.path)
        let now = Date(timeIntervalSince1970: 1_699_999_999)
        #expect(signer.verify(channel: channel, expires: 1_700_000_000, ticketID: tid, signature: expected, now: now))
        #expect(!signer.verify(channel: channel, expires: 1_700_000_000, ticketID: "B" + tid.dropFirst(), signature: expected, now: now))
        #expect(!signer.verify(channel: RealtimeChannel(kind: .run, id: 13), expires: 1_700_000_000, ticketID: tid, signature: expected, now: now))
        #expect(!signer.verify(channel: channel, expires: 1_700_000_001, ticketID: tid, signature: expected, now: now))
        #expect(
            !signer.verify(
                channel: channel, expires: 1_700_000_000, ticketID: tid, signature: expected, now: Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(
            !RealtimeSigner(key: "other", lifetime: 60).verify(channel: channel, expires: 1_700_000_000, ticketID: tid, signature: expected, now: now)
        )
    }
}

@Suite struct EventEnvelopeTests {
    @Test func hasTheAgreedShape() throws {
        let event = Event(
            type: "job.progress", channels: ["job:1"], time: Date(timeIntervalSince1970: 1_700_000_000.25),
            data: .object(["id": .integer(1), "progress": .number(0.5)]))
        let text = EventEnvelope(event: event, channel: "job:1", seq: 42).json
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["type", "channel", "seq", "time", "data"])
        #expect(object["seq"] as? Int == 42 && object["channel"] as? String == "job:1" && object["type"] as? String == "job.progress")
        #expect(object["time"] as? String == "2023-11-14T22:13:20.250Z")
        #expect((object["data"] as? [String: Any])?["progress"] as? Double == 0.5)
    }
}
