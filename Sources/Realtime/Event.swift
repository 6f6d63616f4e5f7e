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
    /// For events that must arrive in the order of what they report (a job's status
    /// changes): the subject (`job:42`) and the event's rank there. The publisher drops an
    /// event ranked below one already published for the subject, on every channel, so `seq`
    /// order is the subject's order; equal ranks all go out.
    public var order: Order?
    /// The channels on which this is the last event (a run's or a job's end on `run:{id}`,
    /// `job:{id}`, `training:{id}`; never `user:{id}`): their sequence numbers, and the
    /// subject's rank, are kept only as long as nchan keeps the channel's messages for
    /// replay (``RedisEventPublisher/Configuration/replaySeconds``), not for 30 days.
    public var closes: [String]

    /// The subject and rank of an ordered event.
    public struct Order: Sendable, Equatable {
        /// What the rank counts for, e.g. `job:42`.
        public var subject: String
        /// Higher is later.
        public var rank: Int64

        /// An order of `subject` at `rank`.
        public init(subject: String, rank: Int64) {
            self.subject = subject
            self.rank = rank
        }
    }

    /// An event of `type` on `channels`.
    public init(
        type: String, channels: [String], time: Date = Date(), data: JSONDocument, order: Order? = nil, closes: [String] = []
    ) {
        self.type = type
        self.channels = channels
        self.time = time
        self.data = data
        self.order = order
        self.closes = closes
    }
}
