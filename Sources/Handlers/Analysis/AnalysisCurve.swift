import Foundation
import Models
import Quant
import TMFcgi

/// A curve to analyse, loaded from a run (its equity and trades) or a dataset's symbol (its
/// closes), with the benchmark asked for; what the analysis routes and the tear sheet share.
struct AnalysisCurve {
    /// What it is, for the answer.
    var source: AnalysisSource
    /// Bar times.
    var timestamps: [Int64]
    /// Equity or closes.
    var values: [Double]
    /// The run's trade statistics (nil for a price curve).
    var trades: TradeStatistics?
    /// The run's closed trades' returns.
    var tradeReturns: [Double] = []
    /// The benchmark's times and prices (or equity), when asked for.
    var benchmark: (timestamps: [Int64], prices: [Double])?
    /// The benchmark's name, for charts.
    var benchmarkName = "benchmark"
    /// The run, when the curve is one's.
    var run: Run?

    /// The performance report of the curve.
    func performance(periodsPerYear: Double) throws -> PerformanceReport {
        try Self.quant {
            try PerformanceReport(
                timestamps: timestamps, values: values, benchmark: benchmark, trades: trades,
                periodsPerYear: periodsPerYear)
        }
    }

    /// The risk report of the curve.
    func risk(window: Int, periodsPerYear: Double) throws -> RiskReport {
        try Self.quant {
            try RiskReport(
                timestamps: timestamps, values: values, benchmark: benchmark, window: window,
                periodsPerYear: periodsPerYear)
        }
    }

    /// Runs `body`, turning a `QuantError` (a curve that cannot be analysed: a non-finite or
    /// non-positive value) into a 422.
    static func quant<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as QuantError {
            throw Problem(.unprocessableContent, detail: "The curve cannot be analysed: \(error.description)")
        }
    }
}
