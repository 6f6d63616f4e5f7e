import Foundation
import JobRuntime
import TradeMasterAPI

/// Polls one `*_status` route of a TradeMaster session until its end flag, with backoff while
/// the log does not change. Fails (for good) on a `Traceback`, on a log that stops growing
/// for the stall time, and past the overall deadline; stops (throws the job's interruption)
/// when the job is cancelled, checking every 50 ms while it waits.
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
            let status: TradeMasterStatus
            do { status = try client.status(route, sessionID: session, flag: flag, extra: extra) } catch {
                throw JobFailure(error.description, retryable: error.isTransient)
            }
            let log = TradeMasterLog(status.info)
            try observe(log)
            if let crash = log.crash {
                throw JobFailure("TradeMaster \(what) crashed: \(crash)", retryable: false)
            }
            if status.ended { return status }
            let now = ContinuousClock.now
            if status.info != lastInfo {
                lastInfo = status.info
                lastChange = now
                interval = configuration.pollSeconds
            } else {
                interval = min(interval * 1.5, configuration.maximumPollSeconds)
                if now - lastChange >= .milliseconds(Int(configuration.stallSeconds * 1000)) {
                    throw JobFailure(
                        "TradeMaster \(what) stalled: its log has not grown for \(Self.seconds(configuration.stallSeconds)) s", retryable: false)
                }
            }
            if now >= deadline {
                throw JobFailure("TradeMaster \(what) timed out after \(Self.seconds(configuration.timeoutSeconds)) s", retryable: false)
            }
            try wait(interval)
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

    /// The PNG bytes of a base64 image field (a `data:` prefix allowed); nil when it is not a PNG.
    static func png(_ base64: String?) -> [UInt8]? {
        guard var text = base64, !text.isEmpty else { return nil }
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") { text = String(text[text.index(after: comma)...]) }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else { return nil }
        let bytes = [UInt8](data)
        return bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? bytes : nil
    }
}
