import CurlHTTP
import Foundation
import Logging
import Metrics
import RedisClient

/// `tm relay`: one per nginx host. Subscribes to the Redis bus (``RealtimeBus``) and POSTs
/// each event's envelope, in the order the bus gives them, to the host's nchan publisher on
/// its unix socket (`/_tm/realtime/publish/{channel}`, see
/// `nginx/snippets/tm-realtime-publisher.conf`), where nchan buffers it per channel and fans
/// it out to the channel's subscribers.
///
/// Redis going away (a restart, a network cut, a silent peer found by a PING every few
/// seconds) ends the subscription; the relay subscribes again, with a short backoff, until it
/// is stopped. Events published meanwhile reach no relay: their publishers count them as
/// dropped (`no_relay` or `redis`), and subscribers see the gap in `seq`. An event nginx
/// does not take (down, slow beyond the timeout, refusing) is dropped with a log line.
public final class RealtimeRelay: @unchecked Sendable {
    /// Where the bus and nginx are, and the limits.
    public struct Configuration: Sendable {
        /// The Redis of the bus.
        public var redis: RedisEndpoint
        /// nginx's publisher socket (TM_REALTIME_PUBLISH_SOCKET).
        public var socketPath: String
        /// The deadline of one POST to nginx, in seconds (TM_REALTIME_PUBLISH_TIMEOUT_MS).
        public var timeout: Double
        /// The bus's pub/sub channel.
        public var busChannel: String
        /// How long a quiet subscription waits before it PINGs Redis, in seconds; without an
        /// answer within as long again, the connection is given up.
        public var idleSeconds: Double

        /// A configuration with the defaults: 0.5 s to nginx, PING after 5 s of quiet.
        public init(
            redis: RedisEndpoint, socketPath: String, timeout: Double = 0.5,
            busChannel: String = RealtimeBus.channel, idleSeconds: Double = 5
        ) {
            self.redis = redis
            self.socketPath = socketPath
            self.timeout = timeout
            self.busChannel = busChannel
            self.idleSeconds = idleSeconds
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let drops: DropLog
    private let client: HTTPClient
    private let lock = NSLock()
    private var stopping = false
    private var relayedCount = 0
    /// Where the relay counts what it delivers and drops (`tm relay`'s metrics listener).
    private let metrics: MetricsRegion?

    /// A relay; nothing happens until ``start()``. With `metrics`, delivered and dropped
    /// events, the lag from publication to delivery and the subscription are recorded there.
    public init(configuration: Configuration, logger: Logger, metrics: MetricsRegion? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        drops = DropLog(logger: logger)
        client = HTTPClient(
            timeout: configuration.timeout, connectTimeout: configuration.timeout, maxBodyBytes: 64 << 10,
            unixSocketPath: configuration.socketPath)
    }

    /// Events handed to nginx so far.
    public var relayed: Int { lock.withLock { relayedCount } }

    /// Starts the relay's thread.
    public func start() {
        let thread = Thread { [self] in runUntilStopped() }
        thread.name = "tm-realtime-relay"
        thread.start()
    }

    /// Asks the relay to stop; it does within about a second.
    public func stop() { lock.withLock { stopping = true } }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func runUntilStopped() {
        var backoff = 0.1
        var lastFailure = ""
        while !isStopping {
            do {
                try subscribeAndRelay {
                    backoff = 0.1
                    lastFailure = ""
                }
            } catch {
                let text = "\(error)"
                // One line per kind of failure, not one per retry.
                if text != lastFailure {
                    logger.warning("real-time relay lost Redis, subscribing again", metadata: ["error": "\(text.prefix(200))"])
                    lastFailure = text
                }
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 2)
            }
        }
    }

    /// One subscription, from connect to its loss (thrown) or the stop (returns).
    private func subscribeAndRelay(subscribed: () -> Void) throws {
        let connection = try RedisConnection(endpoint: configuration.redis, timeoutSeconds: 2)
        let answer = try connection.command(["SUBSCRIBE", configuration.busChannel])
        guard case .array(let confirmation) = answer, confirmation.first == .string(Array("subscribe".utf8)) else {
            throw RedisError.unavailable("SUBSCRIBE answered \(answer)")
        }
        logger.info("relay subscribed", metadata: ["bus": "\(configuration.busChannel)", "socket": "\(configuration.socketPath)"])
        metrics?.set(MetricCatalog.relaySubscribed, 1)
        defer { metrics?.set(MetricCatalog.relaySubscribed, 0) }
        subscribed()
        var lastHeard = MonotonicClock.seconds()
        var pinged = false
        while !isStopping {
            guard let push = try connection.nextPush(timeout: 1) else {
                let quiet = MonotonicClock.seconds() - lastHeard
                if pinged && quiet > 2 * configuration.idleSeconds {
                    throw RedisError.unavailable("no answer to PING within \(configuration.idleSeconds) s")
                }
                if !pinged && quiet > configuration.idleSeconds {
                    try connection.send(["PING"])
                    pinged = true
                }
                continue
            }
            lastHeard = MonotonicClock.seconds()
            pinged = false
            guard case .array(let parts) = push, parts.count == 3, parts[0] == .string(Array("message".utf8)),
                case .string(let message) = parts[2]
            else { continue }  // the answer to PING
            guard let (channel, envelope) = RealtimeBus.decode(message) else {
                drops.record(reason: "malformed", channel: nil, detail: "a bus message without a valid channel")
                metrics?.add(MetricCatalog.series(MetricCatalog.relayDropped, [("reason", "malformed")]))
                continue
            }
            relay(envelope, on: channel)
        }
    }

    private func relay(_ envelope: [UInt8], on channel: String) {
        do {
            let response = try client.send(
                method: "POST", url: "http://localhost/_tm/realtime/publish/\(channel)",
                headers: [("Content-Type", "application/json")], body: envelope)
            guard (200...299).contains(response.status) else {
                drops.record(reason: "rejected", channel: channel, detail: "nginx answered \(response.status)")
                metrics?.add(MetricCatalog.series(MetricCatalog.relayDropped, [("reason", "rejected")]))
                return
            }
            lock.withLock { relayedCount += 1 }
            if let metrics {
                metrics.add(MetricCatalog.relayRelayed)
                if let published = Self.publishedAt(envelope) {
                    metrics.observe(MetricCatalog.relayLag, seconds: max(0, Date().timeIntervalSince(published)))
                }
            }
        } catch {
            drops.record(reason: "nginx", channel: channel, detail: "\(error)")
            metrics?.add(MetricCatalog.series(MetricCatalog.relayDropped, [("reason", "nginx")]))
        }
    }

    /// nchan's own count of its message store (`GET /_tm/realtime/status` on the publisher
    /// socket, `nchan_stub_status`), as gauges for the relay's metrics: the store's memory used
    /// and its limit (`nchan_shared_memory_size`; when it is full nchan refuses publishes and
    /// the relay drops events), stored messages, channels and subscribers. Empty when nginx
    /// does not answer. Its own connection, since scrapes come on the listener's thread.
    public func storeSamples() -> [MetricsRegion.Sample] {
        let status = HTTPClient(
            timeout: configuration.timeout, connectTimeout: configuration.timeout, maxBodyBytes: 16 << 10,
            unixSocketPath: configuration.socketPath)
        guard let response = try? status.send(method: "GET", url: "http://localhost/_tm/realtime/status"), response.status == 200
        else { return [] }
        let figures = Self.storeFigures(String(decoding: response.body, as: UTF8.self))
        let names: [(String, String)] = [
            ("shared memory used", MetricCatalog.realtimeStoreUsed), ("shared memory limit", MetricCatalog.realtimeStoreLimit),
            ("stored messages", MetricCatalog.realtimeStoredMessages), ("channels", MetricCatalog.realtimeChannels),
            ("subscribers", MetricCatalog.realtimeSubscribers),
        ]
        return names.compactMap { key, metric in figures[key].map { .gauge(metric, $0) } }
    }

    /// The `name: value` lines of nchan's stub status; sizes (`1020K`) in bytes.
    static func storeFigures(_ text: String) -> [String: Double] {
        var figures: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            var scale = 1.0
            if value.hasSuffix("K") {
                scale = 1024
                value.removeLast()
            }
            if let number = Double(value) { figures[String(line[..<colon])] = number * scale }
        }
        return figures
    }

    /// The `time` of an envelope (when it was published), for the lag.
    static func publishedAt(_ envelope: [UInt8]) -> Date? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(envelope)) as? [String: Any],
            let text = object["time"] as? String
        else { return nil }
        if let precise = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return precise }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
