import ArgumentParser
import CurlHTTP
import Foundation
import Handlers
import Metrics
import Models
import Realtime
import RedisClient

#if canImport(Glibc)
import Glibc
#endif

/// `tm relay`: takes real-time events from the Redis bus to this host's nginx (nchan).
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay real-time events from Redis to this host's nginx (one per nginx host).",
        discussion: """
            The pool and every `tm worker` publish events on a Redis pub/sub channel \
            (tm:realtime:events, in REDIS_URL). This process subscribes to it and POSTs each event \
            to nginx's internal nchan publisher on the unix socket TM_REALTIME_PUBLISH_SOCKET, \
            within TM_REALTIME_PUBLISH_TIMEOUT_MS (500) each; nchan keeps each channel's last 200 \
            messages for TM_REALTIME_REPLAY_SECONDS (300) and fans them out to WebSocket and \
            EventSource subscribers. \
            Run exactly one per nginx host (two would deliver every event twice). When Redis goes \
            away it subscribes again by itself; events published meanwhile are lost (subscribers \
            see a gap in `seq` and resync with a GET). SIGTERM or SIGINT stops it. Prometheus \
            metrics (events relayed and dropped, lag, nchan's store, process figures) at GET /metrics on \
            TM_RELAY_METRICS_LISTEN (127.0.0.1:9470; off to disable).
            """)

    func run() throws {
        let settings = Startup.settings()
        let logger = Startup.logger("tm.relay", settings: settings)
        guard let socket = settings.realtimePublishSocket else {
            FileHandle.standardError.write(Data("tm relay: TM_REALTIME_PUBLISH_SOCKET is not set (nginx's nchan publisher socket)\n".utf8))
            throw ExitCode(2)
        }
        let signals = StopSignals()
        if !HTTPClient.initializeLibrary() { logger.error("libcurl could not be initialised: no event will reach nginx") }
        // Its metrics (events relayed and dropped, lag, process figures) on TM_RELAY_METRICS_LISTEN.
        let metrics = settings.relayMetricsListen == nil ? nil : MetricsRegion.local()
        let relay = RealtimeRelay(
            configuration: RealtimeRelay.Configuration(
                redis: settings.redis, socketPath: socket, timeout: Double(settings.realtimePublishTimeoutMilliseconds) / 1000),
            logger: logger, metrics: metrics)
        if let metrics, let address = settings.relayMetricsListen {
            metrics.set(MetricCatalog.relaySubscribed, 0)
            metrics.add(MetricCatalog.relayRelayed, 0)
            let figures = ScrapeFigures()
            MetricsListener(host: address.host, port: address.port, logger: logger) {
                PrometheusText.render(metrics.samples(), extra: figures.samples() + relay.storeSamples())
            }?.start()
        }
        relay.start()
        let received = signals.wait()
        relay.stop()
        logger.info("relay stopped", metadata: ["signal": "\(received)", "relayed": "\(relay.relayed)"])
    }
}
