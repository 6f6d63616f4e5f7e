import Foundation

/// A `tm worker` process of the test stack's binary, with its output in a temp file.
/// `stop()` (SIGTERM, then SIGKILL) must be called, usually in a `defer`.
public final class TestWorker: @unchecked Sendable {
    /// The process id.
    public let pid: pid_t
    /// Where its output goes.
    public let logPath: String
    private var exited: Int32?

    /// Starts `tm worker` with the stack's settings, diagnostics on, and `environment` on top.
    public init(stack: TestStack, concurrency: Int, environment: [String: String] = [:]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("tm-worker-\(UUID().uuidString.prefix(8)).log").path
        var env = ProcessInfo.processInfo.environment
        env["TM_ENV_FILE"] = stack.envFile
        env["TM_DIAGNOSTICS"] = "true"
        env["LOG_LEVEL"] = "info"
        env["TM_WORKER_CONCURRENCY"] = String(concurrency)
        env.merge(environment) { $1 }
        pid = try Subprocess.spawn([stack.binary, "worker"], environment: env, outputPath: logPath)
    }

    deinit {
        if exited == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 5)
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Its output so far.
    public var log: String {
        String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
    }

    /// How many times its listener connected (`LISTEN` established).
    public var listenCount: Int {
        log.components(separatedBy: "\"listening\"").count - 1
    }

    /// Waits until the listener connected at least `count` times; throws after `seconds`.
    public func waitUntilListening(count: Int = 1, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while listenCount < count {
            if let status = Subprocess.wait(pid, seconds: 0) {
                exited = status
                throw TestHTTPError(description: "tm worker exited (\(status)): \(log)")
            }
            if Date() > deadline { throw TestHTTPError(description: "tm worker is not listening after \(seconds) s: \(log)") }
            usleep(20_000)
        }
    }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// The exit status once it exits within `seconds`, else nil.
    public func waitForExit(seconds: Double) -> Int32? {
        if let exited { return exited }
        exited = Subprocess.wait(pid, seconds: seconds)
        return exited
    }

    /// Whether it is still running.
    public var isRunning: Bool { waitForExit(seconds: 0) == nil }

    /// SIGTERM, then SIGKILL after `seconds`; returns the exit status.
    @discardableResult
    public func stop(seconds: Double = 10) -> Int32? {
        guard exited == nil else { return exited }
        kill(pid, SIGCONT)
        kill(pid, SIGTERM)
        if let status = waitForExit(seconds: seconds) { return status }
        kill(pid, SIGKILL)
        return waitForExit(seconds: 5)
    }
}
