import Logging
import Synchronization
import Testing

@testable import TMFcgi

/// The slow-request watchdog compares each request's start with its own clock reading: a
/// request that began after that reading (it joined the list while the watchdog read the
/// clock) is not slow. The soak of 2026-12-07 caught the watchdog logging a fast `/auth/me`
/// as "past its deadline" with `elapsed_ms` 18446744073709 (an unsigned difference wrapped).
@Suite struct SlowRequestClockTests {
    final class Lines: Sendable {
        let messages = Mutex<[String]>([])
    }

    struct Capture: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.messages.withLock { $0.append(event.message.description) } }
    }

    @Test func aRequestThatStartedAfterTheClockReadingIsNotSlow() {
        let lines = Lines()
        let clock = Atomic<UInt64>(10_000_000_000)
        let log = SlowRequestLog(
            thresholdMilliseconds: 200, deadlineMilliseconds: 1000, logger: Logger(label: "t") { _ in Capture(lines: lines) },
            now: { clock.load(ordering: .relaxed) })
        // Began 1 ms after the watchdog's reading.
        let young = log.begin(Request(method: .get, path: "/api/v1/auth/me", requestID: "young"), start: 10_001_000_000)
        log.scan()
        #expect(lines.messages.withLock { $0 }.isEmpty)
        // Real slowness is still seen: 300 ms later it is slow, 1.2 s later past its deadline.
        clock.store(10_301_000_000, ordering: .relaxed)
        log.scan()
        clock.store(11_201_000_000, ordering: .relaxed)
        log.scan()
        #expect(lines.messages.withLock { $0 } == ["slow request", "request past its deadline"])
        log.end(young)
    }
}
