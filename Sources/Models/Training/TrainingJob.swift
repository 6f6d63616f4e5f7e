import Foundation
import JobRuntime
import PostgresClient
import Support

/// A training (a parameter search or a TradeMaster run of a strategy) or a market-dynamics
/// analysis, as the API shows it: the `training_jobs` row with the state of the job that runs
/// it (status, progress, attempts and error come from the job queue).
public struct TrainingJob: Codable, Sendable {
    /// The id.
    public var id: Int64
    /// `parameter_search`, `trademaster` or `market_dynamics`.
    public var kind: String
    /// The owner.
    public var ownerId: Int64
    /// The strategy trained (nil for market dynamics).
    public var strategyId: Int64?
    /// The strategy's version when the training started.
    public var strategyVersion: Int64?
    /// The dataset used, if any.
    public var datasetId: Int64?
    /// The job running it (`/api/v1/jobs/{id}`).
    public var jobId: Int64?
    /// The step the job does: `train`, `search`, `labeling` or `dynamics_test`.
    public var step: String
    /// The caller's label.
    public var name: String?
    /// The request's configuration.
    public var config: JSONDocument
    /// The TradeMaster session, once there is one.
    public var sessionId: String?
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    public var status: JobStatus
    /// 0...1.
    public var progress: Double
    /// A short message.
    public var message: String?
    /// TradeMaster: the latest episode.
    public var epoch: Int?
    /// TradeMaster: the episodes in all.
    public var totalEpochs: Int?
    /// Parameter search: trials finished.
    public var trial: Int?
    /// Parameter search: trials in all.
    public var totalTrials: Int?
    /// Metrics by epoch (TradeMaster) or the best score so far by trial (search), oldest first.
    public var metricsHistory: JSONDocument
    /// Estimated seconds left, while running with some progress.
    public var etaSeconds: Double?
    /// The last lines of the log (at most 200).
    public var log: [String]
    /// What it produced, once succeeded (or the parts kept so far).
    public var result: JSONDocument?
    /// Why it failed.
    public var error: String?
    /// Attempts of its job so far.
    public var attempts: Int
    /// The strategy version `apply` wrote, if applied.
    public var appliedVersion: Int64?
    /// Market dynamics: when the labelling was saved on the service.
    public var savedAt: Date?
    /// When it was requested.
    public var createdAt: Date
    /// When its job started (the latest attempt).
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// When a stop was asked for.
    public var cancelRequestedAt: Date?

    /// Whether it finished (succeeded, failed or cancelled).
    public var isFinished: Bool { status.isFinished }

    static let selection = SQLFragment(
        """
        SELECT t.id, t.kind, t.owner_id, t.strategy_id, t.strategy_version, t.dataset_id, t.job_id, t.name, t.config,
               t.session_id, t.epoch, t.total_epochs, t.trial, t.total_trials, t.metrics_history, t.log_tail, t.result,
               t.applied_version, t.saved_at, t.created_at, j.kind AS job_kind,
               COALESCE(j.status, CASE WHEN t.result IS NULL THEN 'failed' ELSE 'succeeded' END) AS status,
               COALESCE(j.progress, 0) AS progress, j.message, j.error, COALESCE(j.attempts, 0) AS attempts,
               j.started_at, j.finished_at, j.cancel_requested_at,
               EXTRACT(EPOCH FROM now() - j.started_at)::float8 AS elapsed
        FROM training_jobs t LEFT JOIN jobs j ON j.id = t.job_id
        """)

    /// Decodes a row of ``selection``.
    init(row: Row) throws {
        id = try row.decode("id")
        kind = try row.decode("kind")
        ownerId = try row.decode("owner_id")
        strategyId = try row.decodeIfPresent("strategy_id")
        strategyVersion = try row.decodeIfPresent("strategy_version")
        datasetId = try row.decodeIfPresent("dataset_id")
        jobId = try row.decodeIfPresent("job_id")
        name = try row.decodeIfPresent("name")
        config = try row.decode("config")
        sessionId = try row.decodeIfPresent("session_id")
        epoch = try row.decodeIfPresent("epoch")
        totalEpochs = try row.decodeIfPresent("total_epochs")
        trial = try row.decodeIfPresent("trial")
        totalTrials = try row.decodeIfPresent("total_trials")
        metricsHistory = try row.decode("metrics_history")
        let tail: String = try row.decode("log_tail")
        log = tail.isEmpty ? [] : tail.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        result = try row.decodeIfPresent("result")
        appliedVersion = try row.decodeIfPresent("applied_version")
        savedAt = try row.decodeIfPresent("saved_at")
        createdAt = try row.decode("created_at")
        status = try row.decode("status")
        progress = try row.decode("progress")
        message = try row.decodeIfPresent("message")
        error = try row.decodeIfPresent("error")
        attempts = try row.decode("attempts")
        startedAt = try row.decodeIfPresent("started_at")
        finishedAt = try row.decodeIfPresent("finished_at")
        cancelRequestedAt = try row.decodeIfPresent("cancel_requested_at")
        let jobKind: String? = try row.decodeIfPresent("job_kind")
        step = TrainingKinds.step(of: jobKind, kind: kind)
        if status == .running, progress > 0.01, progress < 1, let elapsed: Double = try row.decodeIfPresent("elapsed") {
            etaSeconds = (elapsed * (1 - progress) / progress * 10).rounded() / 10
        }
        if status == .succeeded { error = nil }
    }
}
