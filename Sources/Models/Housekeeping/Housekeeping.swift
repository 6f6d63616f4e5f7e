import JobRuntime
import PostgresClient

/// What `tm prune` deletes once it is past its retention: expired `Idempotency-Key` answers
/// (24 h), finished jobs (`TM_JOB_RETENTION_DAYS`) and audit events
/// (`TM_AUDIT_RETENTION_DAYS`). Each table is pruned in bounded batches, so no statement
/// holds locks for long; each store owns its own statement, so the job workers' hourly prune
/// and this one are the same code.
///
/// Runs keep no scratch data to prune: their trades and equity (`run_trades`, `run_series`)
/// are results that live as long as the run, and an upload's staging table is a temporary
/// table that ends with its transaction.
public struct Housekeeping: Sendable {
    /// How long each kind of row is kept.
    public struct Retention: Sendable {
        /// Days finished jobs are kept.
        public var jobDays: Int
        /// Days audit events are kept.
        public var auditDays: Int

        /// A retention from its parts.
        public init(jobDays: Int, auditDays: Int) {
            self.jobDays = jobDays
            self.auditDays = auditDays
        }
    }

    /// Rows deleted (or, in a dry run, that would be) per kind.
    public struct Counts: Sendable, Equatable {
        public var idempotencyKeys = 0
        public var jobs = 0
        public var auditEvents = 0

        /// Zero counts.
        public init() {}
    }

    let database: Database
    let retention: Retention
    let batchSize: Int

    /// Housekeeping of `database` with `retention`, deleting at most `batchSize` rows per statement.
    public init(database: Database, retention: Retention, batchSize: Int = Database.pruneBatchSize) {
        self.database = database
        self.retention = retention
        self.batchSize = batchSize
    }

    /// Deletes what is past its retention, or with `dryRun` only counts it.
    public func run(dryRun: Bool) throws -> Counts {
        let keys = IdempotencyStore(database: database)
        let queue = JobQueue(database: database)
        let audit = AuditLog(database: database)
        var counts = Counts()
        if dryRun {
            counts.idempotencyKeys = try keys.prunable()
            counts.jobs = try queue.prunable(olderThanDays: retention.jobDays)
            counts.auditEvents = try audit.prunable(olderThanDays: retention.auditDays)
        } else {
            counts.idempotencyKeys = try keys.prune(batchSize: batchSize)
            counts.jobs = try queue.prune(olderThanDays: retention.jobDays, batchSize: batchSize)
            counts.auditEvents = try audit.prune(olderThanDays: retention.auditDays, batchSize: batchSize)
        }
        return counts
    }
}
