import Foundation
import JobRuntime
import TradeMasterAPI

/// Polls one `*_status` route of a TradeMaster session until its end flag, with backoff while
/// the log does not change. Fails (for good) on a `Traceback`, on a script's usage error
/// (it exits without a `Traceback` and never sets its flag), on a log that stops growing for
/// the stall time (with the log's last line), and past the overall deadline; stops (throws
/// the job's interruption) when the job is cancelled, checking every 50 ms while it waits.
///
/// While the service does not answer (the client's retries spent, or its circuit breaker
/// open) every call ``waitingOut(_:_:)`` the outage: the job waits, spending no attempt, for up
/// to the outage budget (`TM_TRADEMASTER_OUTAGE_MIN`), then goes on with the same session.
struct TradeMasterPoller {
    let client: TradeMasterClient
    let configuration: TrainingConfiguration
    let context: JobContext
    /// When the whole attempt must be over.
    let deadline: ContinuousClock.Instant

    /// Polls `route` of `session` until `flag`; `observe` sees every answer's log.
    func poll(
        _ route: String, flag: String, session: String, what: String, extra: [String: Any] = [:],
        observe: (TradeMasterLog) throws -> Void
    ) throws -> TradeMasterStatus {
        var interval = configuration.pollSeconds
        var lastInfo: String?
        var lastChange = ContinuousClock.now
        while true {
            var waited = false
            let status = try waitingOut(what, waited: &waited) { () throws(TradeMasterError) in
                try client.status(route, sessionID: session, flag: flag, extra: extra)
            }
            // Time spent waiting out an outage is not the run's stall.
            if waited { lastChange = ContinuousClock.now }
            let log = TradeMasterLog(status.info)
            try observe(log)
            if let crash = log.crash {
                throw JobFailure("TradeMaster \(what) crashed: \(crash)", retryable: false)
            }
            if status.ended { return status }
            if let usage = log.usageError {
                throw JobFailure("TradeMaster \(what) exited without a result: \(usage)", retryable: false)
            }
            let now = ContinuousClock.now
            if status.info != lastInfo {
                lastInfo = status.info
                lastChange = now
                interval = configuration.pollSeconds
            } else {
                interval = min(interval * 1.5, configuration.maximumPollSeconds)
                if now - lastChange >= .milliseconds(Int(configuration.stallSeconds * 1000)) {
                    let last = log.lastLine.map { "; its last line: \($0)" } ?? "; its log is empty"
                    throw JobFailure(
                        "TradeMaster \(what) stalled: its log has not grown for \(Self.seconds(configuration.stallSeconds)) s\(last)",
                        retryable: false)
                }
            }
            if now >= deadline {
                throw JobFailure("TradeMaster \(what) timed out after \(Self.seconds(configuration.timeoutSeconds)) s", retryable: false)
            }
            try wait(interval)
        }
    }

    /// Runs `call`, waiting out an outage of the service: while it does not answer, the
    /// call is tried again after the breaker's open time (at most the longest poll
    /// interval), for up to the outage budget; then the job fails. Errors the service itself
    /// answered (`error_code: 1`, answers outside the contract) fail at once.
    func waitingOut<T>(_ what: String, _ call: () throws(TradeMasterError) -> T) throws -> T {
        var waited = false
        return try waitingOut(what, waited: &waited, call)
    }

    func waitingOut<T>(_ what: String, waited: inout Bool, _ call: () throws(TradeMasterError) -> T) throws -> T {
        var since: ContinuousClock.Instant?
        while true {
            let outcome: Result<T, TradeMasterError>
            do throws(TradeMasterError) { outcome = .success(try call()) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let answer):
                if since != nil { try context.reportProgressMessage("TradeMaster is back; resuming the \(what)") }
                return answer
            case .failure(let error):
                guard error.isTransient else { throw JobFailure(error.description, retryable: false) }
                let now = ContinuousClock.now
                let start = since ?? now
                since = start
                waited = true
                let budget = configuration.outageBudgetSeconds
                if now - start >= .milliseconds(Int(budget * 1000)) {
                    throw JobFailure(
                        "TradeMaster service unreachable for longer than the outage budget (\(Self.minutes(budget)) min): \(error.description)",
                        retryable: false)
                }
                try context.reportProgressMessage("waiting for the TradeMaster service (down for \(Int((now - start) / .seconds(1))) s)")
                var pause = configuration.maximumPollSeconds
                if case .circuitOpen(let retryAfter, _) = error { pause = min(max(retryAfter, 0.05), pause) }
                try wait(pause)
            }
        }
    }

    /// Sleeps `seconds`, noticing a stop request.
    func wait(_ seconds: Double) throws {
        let until = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < until {
            try context.checkInterruption()
            Thread.sleep(forTimeInterval: 0.05)
        }
        try context.checkInterruption()
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func minutes(_ seconds: Double) -> String {
        let value = seconds / 60
        return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// The PNG bytes of a base64 image field (a `data:` prefix allowed); nil when it is not a PNG.
    static func png(_ base64: String?) -> [UInt8]? {
        guard let bytes = decoded(base64) else { return nil }
        return bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? bytes : nil
    }

    /// The bytes of a base64 field (a `data:` prefix allowed); nil when empty or not base64.
    static func decoded(_ base64: String?) -> [UInt8]? {
        guard var text = base64, !text.isEmpty else { return nil }
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") { text = String(text[text.index(after: comma)...]) }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty else { return nil }
        return [UInt8](data)
    }
}
