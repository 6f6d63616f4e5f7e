import Logging
import Metrics
import Realtime

extension Settings {
    /// The process's event publisher: the Redis bus that each nginx host's `tm relay` takes
    /// to its nchan. The pool's workers and `tm worker` (on any host) each compose their own.
    public func realtimePublisher(logger: Logger, metrics: MetricsRegion?) -> any EventPublisher {
        let configuration = RedisEventPublisher.Configuration(
            redis: redis, timeout: Double(realtimePublishTimeoutMilliseconds) / 1000, replaySeconds: realtimeReplaySeconds)
        return RedisEventPublisher(configuration: configuration, logger: logger, metrics: metrics)
    }
}
