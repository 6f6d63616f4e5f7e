import Foundation
import Logging
import Metrics

/// The real ``EventPublisher``: numbers each event per channel in Redis (`INCR`) and POSTs
/// its envelope to nginx's internal nchan publisher on a unix socket
/// (`/_tm/realtime/publish/{channel}`, see `nginx/snippets/tm-realtime-publisher.conf`).
///
/// `publish` only appends to a bounded in-memory queue and returns: one delivery thread per
/// process sends in order, with short timeouts. When the queue is full, or Redis or nginx
/// is down or slow, events are dropped, counted (`tm_realtime_events_dropped_total`) and
/// logged (at most one line a second): never the request or job that published them
/// (PostgreSQL stays the record; clients resync with a GET).
///
/// `seq` comes from Redis rather than nchan's message ids: the envelope is complete before it
/// is published, the numbers are gapless integers a client can check, and every process
/// (pool workers, `tm worker`s on any host) shares them through the Redis that nchan uses.
/// An event numbered but then not published leaves a gap: exactly what a subscriber should
/// see. Within one process events of a channel keep their order; two processes publishing
/// to one channel within the same milliseconds may arrive out of order (a client sorts by
/// `seq`).
public final class NchanEventPublisher: EventPublisher, @unchecked Sendable {
    /// How to reach nginx and Redis, and the limits.
    public struct Configuration: Sendable {
        /// nginx's publisher socket (TM_REALTIME_PUBLISH_SOCKET).
        public var socketPath: String
        /// The Redis that holds the sequence numbers.
        public var redis: RedisEndpoint
        /// The deadline of one publish request, in seconds.
        public var timeout: Double
        /// Events waiting beyond this are dropped.
        public var queueCapacity: Int
        /// How long a channel's sequence number is kept after its last event.
        public var sequenceRetentionSeconds: Int

        /// A configuration with the defaults: 0.5 s, 10,000 queued events, 30 days.
        public init(socketPath: String, redis: RedisEndpoint, timeout: Double = 0.5, queueCapacity: Int = 10_000,
                    sequenceRetentionSeconds: Int = 30 * 86_400) {
            self.socketPath = socketPath
            self.redis = redis
            self.timeout = timeout
            self.queueCapacity = queueCapacity
            self.sequenceRetentionSeconds = sequenceRetentionSeconds
        }
    }

    /// Why an event was not delivered (the `reason` label of the drop counter).
    public enum DropReason: String, Sendable {
        case queueFull = "queue_full", redis, nginx, rejected
    }

    private let configuration: Configuration
    private let logger: Logger
    private let metrics: MetricsRegion?
    private let client: HTTPClient
    private let condition = NSCondition()
    private var queue: [Event] = []
    private var busy = false
    private var started = false
    private var redis: RedisConnection?
    private var droppedSinceLog = 0
    private var lastDropLog = 0.0

    /// A publisher; its delivery thread starts with the first event.
    public init(configuration: Configuration, logger: Logger, metrics: MetricsRegion? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        client = HTTPClient(timeout: configuration.timeout, connectTimeout: configuration.timeout, maxBodyBytes: 64 << 10,
                            unixSocketPath: configuration.socketPath)
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
        let seq: Int64
        do {
            seq = try nextSequence(channel)
        } catch {
            redis = nil
            dropped(.redis, channel: channel, detail: "\(error)")
            return
        }
        let body = Array(EventEnvelope(event: event, channel: channel, seq: seq).json.utf8)
        do {
            let response = try client.send(method: "POST", url: "http://localhost/_tm/realtime/publish/\(channel)",
                                           headers: [("Content-Type", "application/json")], body: body)
            guard (200...299).contains(response.status) else {
                dropped(.rejected, channel: channel, detail: "status \(response.status)")
                return
            }
            metrics?.add(MetricCatalog.realtimePublished)
        } catch {
            dropped(.nginx, channel: channel, detail: "\(error)")
        }
    }

    private func nextSequence(_ channel: String) throws -> Int64 {
        let connection: RedisConnection
        if let redis, redis.isHealthy {
            connection = redis
        } else {
            connection = try RedisConnection(endpoint: configuration.redis, timeoutSeconds: 1)
            redis = connection
        }
        let key = "tm:realtime:seq:\(channel)"
        guard case .integer(let seq) = try connection.command(["INCR", key]) else {
            throw RedisError.unavailable("INCR did not answer an integer")
        }
        try connection.command(["EXPIRE", key, String(configuration.sequenceRetentionSeconds)])
        return seq
    }

    private func dropped(_ reason: DropReason, channel: String?, detail: String = "") {
        metrics?.add(MetricCatalog.series(MetricCatalog.realtimeDropped, [("reason", reason.rawValue)]))
        condition.lock()
        droppedSinceLog += 1
        let now = Date().timeIntervalSince1970
        let due = now - lastDropLog >= 1
        let count = droppedSinceLog
        if due {
            lastDropLog = now
            droppedSinceLog = 0
        }
        condition.unlock()
        guard due else { return }
        logger.warning("real-time event dropped", metadata: [
            "reason": "\(reason.rawValue)", "channel": "\(channel ?? "-")", "detail": "\(detail.prefix(200))",
            "dropped": "\(count)",
        ])
    }
}
