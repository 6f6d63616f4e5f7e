import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// php-fpm's `request_slowlog_timeout` for the pool: a watchdog thread per process logs a
/// request once, while it still runs, when it passes `threshold` (`slow request`, a warning)
/// and once more if it passes the hard deadline (`request past its deadline`, an error: nginx
/// has answered 504 by then). Each line has the method, the path (never the query, which may
/// carry secrets), the request id, the user once known, and the elapsed time.
public final class SlowRequestLog: Sendable {
    /// One request in flight.
    final class Entry: Sendable {
        let method: String
        let path: String
        let requestID: String
        let start: UInt64
        /// The request's log fields (`user_id`), copied whenever they change.
        let fields: Mutex<[(String, String)]>
        /// 0: nothing logged, 1: slow logged, 2: deadline logged too.
        let stage = Atomic<Int>(0)

        init(request: Request, start: UInt64) {
            method = request.method.rawValue
            path = request.path
            requestID = request.requestID
            self.start = start
            fields = Mutex(request.logFields)
        }
    }

    /// Nanoseconds after which a request is logged as slow.
    let threshold: UInt64
    /// Nanoseconds after which it is logged as past its deadline (0: never).
    let deadline: UInt64
    private let logger: Logger
    private let now: @Sendable () -> UInt64
    private let inFlight = Mutex<[ObjectIdentifier: Entry]>([:])
    /// The process whose watchdog runs (threads do not survive the fork of a pool worker).
    private let watcher = Atomic<Int32>(0)

    /// Logs requests slower than `thresholdMilliseconds` (`TM_SLOW_REQUEST_MS`) and those past
    /// `deadlineMilliseconds` (`TM_REQUEST_TIMEOUT_MS`, 0: none) with `logger`.
    public convenience init(thresholdMilliseconds: Int, deadlineMilliseconds: Int, logger: Logger) {
        self.init(
            thresholdMilliseconds: thresholdMilliseconds, deadlineMilliseconds: deadlineMilliseconds, logger: logger, now: Clock.monotonicNanoseconds)
    }

    /// The same, with the clock given (tests).
    init(thresholdMilliseconds: Int, deadlineMilliseconds: Int, logger: Logger, now: @escaping @Sendable () -> UInt64) {
        threshold = UInt64(max(1, thresholdMilliseconds)) * 1_000_000
        deadline = UInt64(max(0, deadlineMilliseconds)) * 1_000_000
        self.logger = logger
        self.now = now
    }

    /// Starts watching `request`, which began at `start`; the watchdog of this process starts
    /// with its first request.
    func begin(_ request: Request, start: UInt64) -> Entry {
        let entry = Entry(request: request, start: start)
        request.slowEntry = entry
        inFlight.withLock { $0[ObjectIdentifier(entry)] = entry }
        let pid = getpid()
        let previous = watcher.load(ordering: .acquiring)
        if previous != pid, watcher.compareExchange(expected: previous, desired: pid, ordering: .acquiringAndReleasing).exchanged {
            let interval = min(max(threshold / 4, 5_000_000), 250_000_000)
            // Holds the log weakly: the thread ends with the application (tests make many).
            let thread = Thread { [weak self] in
                while true {
                    usleep(UInt32(interval / 1000))
                    guard let self else { return }
                    self.scan()
                }
            }
            thread.name = "slow-request-watchdog"
            thread.start()
        }
        return entry
    }

    /// Stops watching.
    func end(_ entry: Entry) {
        _ = inFlight.withLock { $0.removeValue(forKey: ObjectIdentifier(entry)) }
    }

    /// Logs the requests that passed the threshold or the deadline since the last scan.
    func scan() {
        // The clock after the list: a request that begins meanwhile started before `current`.
        // (Read before it, such a request's start was later than `current`, and the unsigned
        // difference wrapped to 18,446,744,073,709 ms: the soak of 2026-12-07 logged a fast
        // /auth/me as past its deadline.)
        let entries = inFlight.withLock { Array($0.values) }
        let current = now()
        for entry in entries where entry.start <= current {
            let elapsed = current - entry.start
            let stage = entry.stage.load(ordering: .relaxed)
            if stage == 0 && elapsed >= threshold {
                entry.stage.store(1, ordering: .relaxed)
                log(entry, "slow request", level: .warning, elapsed: elapsed, limit: threshold)
            }
            if stage < 2 && deadline > 0 && elapsed >= deadline {
                entry.stage.store(2, ordering: .relaxed)
                log(entry, "request past its deadline", level: .error, elapsed: elapsed, limit: deadline)
            }
        }
    }

    private func log(_ entry: Entry, _ message: Logger.Message, level: Logger.Level, elapsed: UInt64, limit: UInt64) {
        var metadata: Logger.Metadata = [
            "request_id": "\(entry.requestID)", "method": "\(entry.method)", "path": "\(entry.path)",
            "elapsed_ms": "\(elapsed / 1_000_000)", "limit_ms": "\(limit / 1_000_000)", "pid": "\(getpid())",
        ]
        for (name, value) in entry.fields.withLock({ $0 }) { metadata[name] = "\(value)" }
        logger.log(level: level, message, metadata: metadata)
    }
}
