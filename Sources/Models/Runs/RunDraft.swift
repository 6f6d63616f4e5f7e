import Foundation

/// A validated run to create (``RunService/plan(strategy:request:scope:)``).
public struct RunDraft: Sendable, Equatable {
    /// Its owner (the strategy's, or the caller for an inline strategy).
    public var ownerID: Int64
    /// The strategy (nil: inline).
    public var strategyID: Int64?
    /// The dataset of its bars.
    public var datasetID: Int64
    /// Backtest or paper.
    public var mode: RunMode
    /// The symbol it trades (a portfolio run: the first of `symbols`).
    public var symbol: String
    /// Every symbol it trades: `[symbol]`, or a portfolio kind's two or more.
    public var symbols: [String]
    /// The first bar's time it may use.
    public var start: Date?
    /// The end of its data, exclusive.
    public var end: Date?
    /// What it runs.
    public var snapshot: RunSnapshot
    /// What it is compared with.
    public var benchmark: RunBenchmark?
    /// Bars in its range (checked against the strategy's longest window).
    public var bars: Int
    /// Bars of its benchmark's symbol (0 without one): the backtest loads them all too, so
    /// they count in the synchronous budget (`TM_SYNC_MAX_BARS`) with `bars`.
    public var benchmarkBars: Int = 0

    /// The bars a backtest of it loads: its own and its benchmark's.
    public var loadedBars: Int { bars.addingReportingOverflow(benchmarkBars).overflow ? Int.max : bars + benchmarkBars }

    /// A draft from its parts.
    public init(
        ownerID: Int64, strategyID: Int64?, datasetID: Int64, mode: RunMode, symbol: String, start: Date?, end: Date?,
        snapshot: RunSnapshot, benchmark: RunBenchmark?, bars: Int, symbols: [String]? = nil
    ) {
        self.ownerID = ownerID
        self.strategyID = strategyID
        self.datasetID = datasetID
        self.mode = mode
        self.symbol = symbol
        self.symbols = symbols ?? [symbol]
        self.start = start
        self.end = end
        self.snapshot = snapshot
        self.benchmark = benchmark
        self.bars = bars
    }
}
