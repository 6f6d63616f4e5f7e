import Foundation
import Support

/// Job kinds for tests and operations, registered only with `TM_DIAGNOSTICS=true`.
public enum DiagnosticJobs {
    public static func register(on registry: inout JobRegistry) {
        registry.register("diag.noop") { _ in JobCompletion() }
        registry.register("diag.sleep") { context in
            let slept = try sleep(context, milliseconds: try milliseconds(context.payload, "ms"))
            return JobCompletion(result: .object(["slept_ms": .integer(Int64(slept))]))
        }
        registry.register("diag.fail", fail)
        registry.register("diag.count", count)
        registry.register("diag.trap", trap)
    }

    /// `diag.fail {failures?}`: fails its first `failures` attempts (every attempt without
    /// it), then succeeds with `{attempts}`.
    static func fail(_ context: JobContext) throws -> JobCompletion {
        let failures = context.payload["failures"]?.intValue ?? Int.max
        if context.attempt <= failures {
            throw JobFailure("diag.fail: attempt \(context.attempt) fails on purpose")
        }
        return JobCompletion(result: .object(["attempts": .integer(Int64(context.attempt))]))
    }

    /// `diag.count {sleep_ms?}`: sleeps, then inserts one row into `diag_job_effects` (which
    /// the test creates) in the completion transaction: one row per job proves exactly-once.
    static func count(_ context: JobContext) throws -> JobCompletion {
        _ = try sleep(context, milliseconds: try milliseconds(context.payload, "sleep_ms", default: 0))
        let id = context.job.id
        let attempt = context.attempt
        let worker = context.workerID
        return JobCompletion(result: .object(["counted": .bool(true)])) { connection in
            try connection.execute("INSERT INTO diag_job_effects (job_id, attempt, worker) VALUES (\(id), \(attempt), \(worker))")
        }
    }

    /// `diag.trap {after_ms?}`: a poison job. Sleeps, then traps (a Swift runtime failure:
    /// SIGILL on x86_64), which stops the whole worker process.
    static func trap(_ context: JobContext) throws -> JobCompletion {
        _ = try sleep(context, milliseconds: try milliseconds(context.payload, "after_ms", default: 0))
        fatalError("diag.trap: job \(context.job.id) traps on purpose")
    }

    /// Sleeps `milliseconds` in steps of at most 50 ms, reporting progress after each.
    static func sleep(_ context: JobContext, milliseconds: Int) throws -> Int {
        let start = ContinuousClock.now
        let total = Duration.milliseconds(milliseconds)
        try context.reportProgress(0, message: "sleeping")
        while ContinuousClock.now - start < total {
            let left = total - (ContinuousClock.now - start)
            Thread.sleep(forTimeInterval: min(0.05, Double(left.components.attoseconds) / 1e18 + Double(left.components.seconds)))
            let elapsed = ContinuousClock.now - start
            try context.reportProgress(min(1, elapsed / total), message: "sleeping")
        }
        return milliseconds
    }

    static func milliseconds(_ payload: JSONDocument, _ name: String, default fallback: Int? = nil) throws -> Int {
        guard let value = payload[name] else {
            if let fallback { return fallback }
            throw JobFailure("payload.\(name) is required", retryable: false)
        }
        guard let ms = value.intValue, (0...3_600_000).contains(ms) else {
            throw JobFailure("payload.\(name) must be an integer in 0...3600000", retryable: false)
        }
        return ms
    }
}
