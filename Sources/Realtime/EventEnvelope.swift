import Foundation
import Support

/// What subscribers receive, one per event and channel:
/// `{"type", "channel", "seq", "time", "data"}`, `seq` counting the channel's events from 1.
public struct EventEnvelope: Sendable, Equatable {
    /// The event type (`job.status`, `run.progress`…).
    public var type: String
    /// The channel it was published on.
    public var channel: String
    /// Its number on the channel: one more than the previous event's, so a gap shows a
    /// subscriber that it missed something (and should resync with a GET).
    public var seq: Int64
    /// When it happened (RFC 3339, UTC, milliseconds).
    public var time: Date
    /// The details.
    public var data: JSONDocument

    /// The envelope of `event` on `channel` with number `seq`.
    public init(event: Event, channel: String, seq: Int64) {
        type = event.type
        self.channel = channel
        self.seq = seq
        time = event.time
        data = event.data
    }

    /// The JSON text subscribers get, split around the value of `seq`: `json` is
    /// `prefix + String(seq) + suffix`. Redis numbers the event when it publishes it (one
    /// script, so numbering and publishing cannot be reordered between processes).
    public var jsonAroundSeq: (prefix: String, suffix: String) {
        var unnumbered = self
        unnumbered.seq = Int64.min
        let text = unnumbered.json
        // The last one: keys are sorted, so `data` (which could hold the same text) comes first.
        let marker = "\"seq\":\(Int64.min)"
        let range = text.range(of: marker, options: .backwards)!
        return (String(text[..<range.lowerBound]) + "\"seq\":", String(text[range.upperBound...]))
    }

    /// The JSON text subscribers get.
    public var json: String {
        let stamp = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
        return JSONDocument.object([
            "type": .string(type), "channel": .string(channel), "seq": .integer(seq),
            "time": .string(stamp), "data": data,
        ]).json
    }
}
