import Foundation

/// What a client asks a run to do (execute's body, or the analysis backtest's), before
/// validation against the strategy and the data (``RunService/plan(strategy:request:)``).
public struct RunRequest: Sendable, Equatable {
    /// The dataset of the bars.
    public var datasetID: Int64
    /// The symbols (builtin kinds trade one).
    public var symbols: [String]
    /// Where the symbols came from, for error pointers (`/symbol` or `/symbols`).
    public var symbolPointer: String
    /// The first bar's time to use.
    public var start: Date?
    /// The end of the data, exclusive.
    public var end: Date?
    /// Backtest or paper.
    public var mode: RunMode
    /// Overrides of the strategy's trading defaults.
    public var initialCapital: Double?
    /// Commission override.
    public var commission: Double?
    /// Slippage override.
    public var slippageBps: Double?
    /// Short-selling override.
    public var allowShort: Bool?
    /// Paper runs: bars per second (default ``RunService/defaultBarsPerSecond``).
    public var barsPerSecond: Double?
    /// What to compare with.
    public var benchmark: RunBenchmark?

    /// A request from its parts.
    public init(
        datasetID: Int64, symbols: [String], symbolPointer: String = "/symbol", start: Date? = nil, end: Date? = nil,
        mode: RunMode = .backtest, initialCapital: Double? = nil, commission: Double? = nil, slippageBps: Double? = nil,
        allowShort: Bool? = nil, barsPerSecond: Double? = nil, benchmark: RunBenchmark? = nil
    ) {
        self.datasetID = datasetID
        self.symbols = symbols
        self.symbolPointer = symbolPointer
        self.start = start
        self.end = end
        self.mode = mode
        self.initialCapital = initialCapital
        self.commission = commission
        self.slippageBps = slippageBps
        self.allowShort = allowShort
        self.barsPerSecond = barsPerSecond
        self.benchmark = benchmark
    }
}
