/// Everything a backtest produces.
public struct BacktestResult: Sendable, Equatable {
    /// The strategy that ran.
    public var strategy: Strategy
    /// The rules it ran under.
    public var configuration: BacktestConfiguration
    /// The account after each bar.
    public var equity: EquityCurve
    /// Round trips in entry order, the open one (if any) last.
    public var trades: [Trade]
    /// Trade statistics.
    public var summary: BacktestSummary
    /// Performance metrics of the equity curve.
    public var metrics: PerformanceMetrics
}
