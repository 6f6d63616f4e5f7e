import PostgresClient

/// Where a job is in its life; the one status vocabulary of long work.
public enum JobStatus: String, CaseIterable, Codable, Sendable, SQLEncodable, SQLDecodable {
    /// Waiting for a worker (or for `run_after`).
    case queued
    /// Held by a worker under a lease.
    case running
    /// Done; its effects and result are committed.
    case succeeded
    /// Gave up: the attempts are used up or the failure cannot be retried.
    case failed
    /// Stopped on request.
    case cancelled

    /// Whether the job is over (it will not change any more).
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }

    public var sqlText: String { rawValue }
    public init?(sqlText: String) { self.init(rawValue: sqlText) }
}
