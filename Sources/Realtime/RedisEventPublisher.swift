import Foundation
import Logging
import Metrics
import RedisClient

/// The real ``EventPublisher`` of the pool and of `tm worker` (on any host): numbers each
/// event per channel and publishes its envelope on the Redis bus (``RealtimeBus``), in one
/// Redis script, so numbering and publishing are one step. Each nginx host's `tm relay`
/// takes the bus's messages to its nchan (``RealtimeRelay``).
///
/// `publish` only appends to a bounded in-memory queue and returns: one delivery thread per
/// process sends in order, with a short timeout. When the queue is full, Redis is down or
/// slow, or no relay listens, events are dropped, counted
/// (`tm_realtime_events_dropped_total{reason}`) and logged (at most one line a second):
/// never the request or job that published them (PostgreSQL stays the record; clients
/// resync with a GET).
///
/// `seq` comes from Redis rather than nchan's message ids: the envelope is complete before
/// it reaches nginx, the numbers are gapless integers a client can check, and every process
/// shares them. An event numbered but then not delivered leaves a gap: exactly what a
/// subscriber should see. The bus is one Redis pub/sub channel, so every relay gets the
/// events of a channel in `seq` order, whichever processes published them.
public final class RedisEventPublisher: EventPublisher, @unchecked Sendable {
    /// How to reach Redis, and the limits.
    public struct Configuration: Sendable {
        /// The Redis of the bus and the sequence numbers.
        public var redis: RedisEndpoint
        /// The deadline of one publish (connect and script), in seconds.
        public var timeout: Double
        /// Events waiting beyond this are dropped.
        public var queueCapacity: Int
        /// How long a channel's sequence number is kept after its last event.
        public var sequenceRetentionSeconds: Int
        /// How long nchan keeps a channel's messages for subscribers that reconnect
        /// (`TM_REALTIME_REPLAY_SECONDS`, nginx's `nchan_message_timeout`): a channel's number,
        /// and its subject's rank, are kept only this long after the channel's last event
        /// (``Event/closes``), since no subscriber can resume it after that.
        public var replaySeconds: Int
        /// The Redis pub/sub channel (``RealtimeBus/channel``).
        public var busChannel: String

        /// A configuration with the defaults: 0.5 s, 10,000 queued events, 30 days, 300 s.
        public init(
            redis: RedisEndpoint, timeout: Double = 0.5, queueCapacity: Int = 10_000,
            sequenceRetentionSeconds: Int = 30 * 86_400, replaySeconds: Int = 300, busChannel: String = RealtimeBus.channel
        ) {
            self.redis = redis
            self.timeout = timeout
            self.queueCapacity = queueCapacity
            self.sequenceRetentionSeconds = sequenceRetentionSeconds
            self.replaySeconds = replaySeconds
            self.busChannel = busChannel
        }
    }

    /// Why an event was not delivered (the `reason` label of the drop counter).
    public enum DropReason: String, Sendable {
        /// More than `queueCapacity` events waiting.
        case queueFull = "queue_full"
        /// Redis down, slow or refusing.
        case redis
        /// Published, but no `tm relay` was subscribed to the bus.
        case noRelay = "no_relay"
        /// Older than an event already published for its subject (``Event/order``).
        case stale
    }

    /// INCR the channel's number, publish the envelope with it, answer {seq, receivers}.
    /// KEYS[1] the sequence key; ARGV: bus channel, text before the number, text after it,
    /// retention in seconds (the replay window when the event closes the channel). An
    /// ordered event (``Event/order``) also gives KEYS[2], its subject's last published
    /// rank, ARGV[5], its rank, and ARGV[6], how long to keep the rank (a day; the replay
    /// window after the subject's last event): below that rank it is stale and neither
    /// numbered nor published ({0, -1}), so it leaves no gap.
    static let script = """
        if KEYS[2] then
            local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
            local rank = tonumber(ARGV[5])
            if rank < last then return {0, -1} end
            -- A day at most, not the seq's retention: only events published out of order
            -- within seconds of each other need the rank, and a key per job kept 30 days
            -- would double what Redis holds per job.
            redis.call('SET', KEYS[2], ARGV[5], 'EX', tonumber(ARGV[6]))
        end
        local seq = redis.call('INCR', KEYS[1])
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        local receivers = redis.call('PUBLISH', ARGV[1], ARGV[2] .. string.format('%d', seq) .. ARGV[3])
        return {seq, receivers}
        """

    private let configuration: Configuration
    private let drops: DropLog
    private let metrics: MetricsRegion?
    private let condition = NSCondition()
    private var queue: [Event] = []
    private var busy = false
    private var started = false
    private var redis: RedisConnection?

    /// A publisher; its delivery thread starts with the first event.
    public init(configuration: Configuration, logger: Logger, metrics: MetricsRegion? = nil) {
        self.configuration = configuration
        drops = DropLog(logger: logger)
        self.metrics = metrics
    }

    public func publish(_ event: Event) {
        condition.lock()
        guard queue.count < configuration.queueCapacity else {
            condition.unlock()
            for _ in event.channels { dropped(.queueFull, channel: nil) }
            return
        }
        queue.append(event)
        if !started {
            started = true
            let thread = Thread { [self] in deliverForever() }
            thread.name = "tm-realtime-publisher"
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    /// Waits up to `seconds` for queued events to be delivered (or dropped); true when none is
    /// left. A stopping `tm worker` calls it so its last status changes go out.
    @discardableResult
    public func flush(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty || busy {
            if !condition.wait(until: deadline) { return queue.isEmpty && !busy }
        }
        return true
    }

    private func deliverForever() {
        while true {
            condition.lock()
            while queue.isEmpty {
                busy = false
                condition.broadcast()
                condition.wait()
            }
            busy = true
            let event = queue.removeFirst()
            condition.unlock()
            for channel in event.channels { deliver(event, on: channel) }
        }
    }

    private func deliver(_ event: Event, on channel: String) {
        let parts = EventEnvelope(event: event, channel: channel, seq: 0).jsonAroundSeq
        do {
            let connection = try self.connection()
            var command = ["EVAL", Self.script, event.order == nil ? "1" : "2", "tm:realtime:seq:\(channel)"]
            if let order = event.order { command.append("tm:realtime:order:\(order.subject)") }
            let closing = !event.closes.isEmpty
            command += [
                configuration.busChannel, RealtimeBus.messagePrefix(channel: channel) + parts.prefix, parts.suffix,
                String(event.closes.contains(channel) ? configuration.replaySeconds : configuration.sequenceRetentionSeconds),
            ]
            if let order = event.order {
                command += [String(order.rank), String(closing ? configuration.replaySeconds : 86_400)]
            }
            let answer = try connection.command(command)
            guard case .array(let values) = answer, values.count == 2, case .integer(let receivers) = values[1] else {
                throw RedisError.unavailable("the publish script answered \(answer)")
            }
            if receivers < 0 {
                // Stale: the subject's later state went out first; this one is not news.
                metrics?.add(MetricCatalog.series(MetricCatalog.realtimeDropped, [("reason", DropReason.stale.rawValue)]))
            } else if receivers == 0 {
                dropped(.noRelay, channel: channel, detail: "no tm relay is subscribed to \(configuration.busChannel)")
            } else {
                metrics?.add(MetricCatalog.realtimePublished)
            }
        } catch {
            redis = nil
            dropped(.redis, channel: channel, detail: "\(error)")
        }
    }

    private func connection() throws -> RedisConnection {
        if let redis, redis.isHealthy { return redis }
        redis = nil
        let connection = try RedisConnection(endpoint: configuration.redis, timeoutSeconds: configuration.timeout)
        redis = connection
        return connection
    }

    private func dropped(_ reason: DropReason, channel: String?, detail: String = "") {
        metrics?.add(MetricCatalog.series(MetricCatalog.realtimeDropped, [("reason", reason.rawValue)]))
        drops.record(reason: reason.rawValue, channel: channel, detail: detail)
    }
}
