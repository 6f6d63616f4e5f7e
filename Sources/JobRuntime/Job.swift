import Foundation
import PostgresClient
import Support

/// A job as stored in the `jobs` table and shown by the API and `tm jobs`.
public struct Job: Codable, Sendable, Equatable {
    /// The database id.
    public var id: Int64
    /// What kind of work, e.g. `backtest.run`; names a handler in the ``JobRegistry``.
    public var kind: String
    /// The user it belongs to; nil for system jobs.
    public var ownerID: Int64?
    /// The input of the handler.
    public var payload: JSONDocument
    /// Where it is in its life.
    public var status: JobStatus
    /// Lower runs first.
    public var priority: Int
    /// Not claimed before this time (the backoff of a retry).
    public var runAfter: Date
    /// How many times a worker took it (the running one included).
    public var attempts: Int
    /// The most attempts before it fails for good.
    public var maxAttempts: Int
    /// How many times it stopped its worker (a trap or fault in its thread); at
    /// `TM_JOB_MAX_CRASHES` it fails for good.
    public var crashes: Int
    /// 0...1, as last reported by the handler.
    public var progress: Double
    /// A short message with the progress.
    public var message: String?
    /// What the handler returned, once succeeded.
    public var result: JSONDocument?
    /// The last error.
    public var error: String?
    /// Every failed attempt: `{attempt, at, error, retry_at}`.
    public var errors: JSONDocument
    /// When a cancel was asked for.
    public var cancelRequestedAt: Date?
    /// The worker holding the lease while running.
    public var leaseOwner: String?
    /// When the lease runs out unless renewed.
    public var leaseExpiresAt: Date?
    /// The last heartbeat of the running worker.
    public var heartbeatAt: Date?
    /// When it was enqueued.
    public var createdAt: Date
    /// When the latest attempt started.
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// When the row last changed.
    public var updatedAt: Date
    /// Bumped by every change of `status` (a trigger): the order of the job's status events.
    public var statusVersion: Int64

    /// The columns ``init(row:)`` reads, for SELECT and RETURNING lists.
    static let columns = SQLFragment(
        """
        id, kind, owner_id, payload, status, priority, run_after, attempts, max_attempts, crashes, progress, message, \
        result, error, errors, cancel_requested_at, lease_owner, lease_expires_at, heartbeat_at, created_at, \
        started_at, finished_at, updated_at, status_version
        """)

    /// Decodes a row holding ``columns``.
    init(row: Row) throws {
        self = try row.decode(as: Job.self)
    }
}
