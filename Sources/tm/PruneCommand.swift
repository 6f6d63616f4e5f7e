import ArgumentParser
import Foundation
import Models
import PostgresClient

/// `tm prune`: deletes what is past its retention (run daily by trademaster-prune.timer).
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete expired idempotency keys, finished jobs and audit events past their retention.",
        discussion: """
            Deletes Idempotency-Key answers older than 24 hours, finished jobs older than \
            TM_JOB_RETENTION_DAYS (30) and audit events older than TM_AUDIT_RETENTION_DAYS (365), \
            each table in batches of at most --batch-size rows (one short transaction each, so no \
            long locks). Prints the counts as one JSON line on stdout. Safe to run at any time and \
            from several hosts. Runs keep no scratch data to prune (their trades and equity are \
            results, kept with the run).
            """)

    @Flag(help: "Count what would be deleted; delete nothing.")
    var dryRun = false

    @Option(help: "The most rows one DELETE removes (default 10000).")
    var batchSize: Int = Database.pruneBatchSize

    func validate() throws {
        if !(1...1_000_000).contains(batchSize) { throw ValidationError("--batch-size must be in 1...1000000") }
    }

    func run() throws {
        let settings = Startup.settings()
        let logger = Startup.logger("tm.prune", settings: settings)
        try Startup.requireKnownSchema(settings: settings, logger: logger)
        let housekeeping = Housekeeping(
            database: Database(url: settings.databaseURL),
            retention: .init(jobDays: settings.jobRetentionDays, auditDays: settings.auditRetentionDays), batchSize: batchSize)
        let start = Date()
        let counts: Housekeeping.Counts
        do {
            counts = try housekeeping.run(dryRun: dryRun)
        } catch {
            FileHandle.standardError.write(Data("tm prune: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let fields: [(String, String)] = [
            ("dry_run", dryRun ? "true" : "false"),
            ("idempotency_keys", "\(counts.idempotencyKeys)"), ("jobs", "\(counts.jobs)"), ("audit_events", "\(counts.auditEvents)"),
            ("job_retention_days", "\(settings.jobRetentionDays)"), ("audit_retention_days", "\(settings.auditRetentionDays)"),
            ("seconds", String(format: "%.3f", Date().timeIntervalSince(start))),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}
