import Quant

/// What a tear sheet shows: a curve, its reports, the benchmark and the trades' returns.
struct TearSheet {
    /// The page's heading.
    var title: String
    /// Lines under the heading (strategy, data, period).
    var details: [String]
    /// Bar times of the curve.
    var timestamps: [Int64]
    /// The equity (or price) curve.
    var equity: [Double]
    /// The benchmark's prices at `timestamps` (NaN where it has no bar), when there is one.
    var benchmark: [Double]?
    /// The benchmark's name, for the legend.
    var benchmarkName: String
    /// Performance metrics, trade statistics and period returns.
    var performance: PerformanceReport
    /// VaR, drawdowns, moments.
    var risk: RiskReport
    /// The closed trades' returns.
    var tradeReturns: [Double]
    /// Bars in the rolling Sharpe window.
    var rollingWindow: Int

    /// The returns of the curve, one fewer than its rows.
    var returns: [Double] { (try? Metrics.simpleReturns(equity)) ?? [] }
}
