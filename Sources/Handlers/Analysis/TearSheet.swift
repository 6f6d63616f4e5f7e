import Quant

/// What a tear sheet shows: a curve, its reports, the benchmark and the trades' returns
/// (package access: the fuzz targets render sheets of their own).
package struct TearSheet {
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

    /// A sheet of these parts.
    package init(
        title: String, details: [String], timestamps: [Int64], equity: [Double], benchmark: [Double]?, benchmarkName: String,
        performance: PerformanceReport, risk: RiskReport, tradeReturns: [Double], rollingWindow: Int
    ) {
        self.title = title
        self.details = details
        self.timestamps = timestamps
        self.equity = equity
        self.benchmark = benchmark
        self.benchmarkName = benchmarkName
        self.performance = performance
        self.risk = risk
        self.tradeReturns = tradeReturns
        self.rollingWindow = rollingWindow
    }

    /// The returns of the curve, one fewer than its rows.
    var returns: [Double] { (try? Metrics.simpleReturns(equity)) ?? [] }
}
