import Foundation

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

    /// The JSON text subscribers get.
    public var json: String {
        let stamp = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
        return JSONDocument.object([
            "type": .string(type), "channel": .string(channel), "seq": .integer(seq),
            "time": .string(stamp), "data": data,
        ]).json
    }
}
