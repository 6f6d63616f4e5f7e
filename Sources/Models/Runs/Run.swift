import Foundation
import JobRuntime
import Support

/// A run of a strategy (the `runs` table): a backtest or a paper run, executed by a job.
public struct Run: Codable, Sendable, Equatable {
    /// The id.
    public var id: Int64
    /// Its owner (the strategy's).
    public var ownerId: Int64
    /// The strategy (nil for an inline backtest, or once the strategy is deleted… with its runs).
    public var strategyId: Int64?
    /// The strategy's version it ran.
    public var strategyVersion: Int64?
    /// The dataset of its bars (nil once that dataset was force-deleted).
    public var datasetId: Int64?
    /// The job executing it (nil for a synchronous backtest).
    public var jobId: Int64?
    /// Backtest or paper.
    public var mode: RunMode
    /// Where it is in its life.
    public var status: JobStatus
    /// 0...1.
    public var progress: Double
    /// A short message with the progress.
    public var message: String?
    /// The symbols it trades.
    public var symbols: [String]
    /// The first bar's time it may use (nil: the data's start).
    public var start: Date?
    /// The end of its data, exclusive (nil: the data's end).
    public var end: Date?
    /// What it ran.
    public var snapshot: RunSnapshot
    /// What it is compared with.
    public var benchmark: RunBenchmark?
    /// Headline figures once finished (a stopped paper run: up to where it stopped).
    public var summary: RunSummary?
    /// The full metric set of its equity (as `tm backtest --json` prints it).
    public var metrics: JSONDocument?
    /// Why it failed.
    public var error: String?
    /// Bars done so far.
    public var barsProcessed: Int64
    /// When it was created (executed).
    public var createdAt: Date
    /// When a worker started it.
    public var startedAt: Date?
    /// When it ended.
    public var finishedAt: Date?
    /// When the row last changed.
    public var updatedAt: Date
}
