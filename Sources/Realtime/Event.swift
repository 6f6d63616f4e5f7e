import Foundation
import Support

/// Something that happened, for real-time subscribers: the `data` of the envelope
/// `{type, channel, seq, time, data}` that the publisher completes (`seq` is its business).
public struct Event: Sendable, Equatable {
    /// What happened, e.g. `job.status`, `job.progress`.
    public var type: String
    /// The channels it goes to, e.g. `job:42`, `user:7`.
    public var channels: [String]
    /// When it happened.
    public var time: Date
    /// The details.
    public var data: JSONDocument

    /// An event of `type` on `channels`.
    public init(type: String, channels: [String], time: Date = Date(), data: JSONDocument) {
        self.type = type
        self.channels = channels
        self.time = time
        self.data = data
    }
}
