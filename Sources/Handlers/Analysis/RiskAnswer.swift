import Foundation
import Quant

/// `GET /api/v1/analysis/risk`: VaR/CVaR, worst drawdowns, rolling volatility, moments, beta.
struct RiskAnswer: Codable {
    var source: AnalysisSource
    /// Simple returns analysed.
    var returnCount: Int
    /// VaR by method and confidence, as returns (negative for losses).
    var valueAtRisk: [Estimate]
    /// Historical CVaR (expected shortfall) by confidence.
    var conditionalValueAtRisk: [Shortfall]
    /// The five worst drawdowns, deepest first.
    var worstDrawdowns: [DrawdownRow]
    /// Annualised rolling volatility, downsampled.
    var rollingVolatility: Rolling
    var skewness: Double?
    var kurtosis: Double?
    /// Beta to the benchmark, when one was given.
    var beta: Double?
    var benchmarkAlignedReturns: Int?

    /// One VaR figure.
    struct Estimate: Codable {
        var method: String
        var confidence: Double
        var value: Double?
    }

    /// One CVaR figure.
    struct Shortfall: Codable {
        var confidence: Double
        var value: Double?
    }

    /// One drawdown: depth, dates, length in bars and days.
    struct DrawdownRow: Codable {
        var depth: Double?
        var peak: Date?
        var trough: Date?
        var recovery: Date?
        var durationBars: Int
        var durationDays: Double?
    }

    /// A rolling series: the window and (time, value) pairs.
    struct Rolling: Codable {
        var window: Int
        var time: [Date]
        var value: [Double?]
    }

    /// The answer for `report` of the curve at `timestamps`, the rolling series cut to `maxPoints`.
    init(source: AnalysisSource, report: RiskReport, timestamps: [Int64], maxPoints: Int) {
        let f = MetricSet.finite
        self.source = source
        returnCount = max(timestamps.count - 1, 0)
        valueAtRisk = report.valueAtRisk.map { Estimate(method: $0.method.rawValue, confidence: $0.confidence, value: f($0.value)) }
        conditionalValueAtRisk = zip(RiskReport.confidences, report.conditionalValueAtRisk).map { Shortfall(confidence: $0, value: f($1)) }
        worstDrawdowns = report.worstDrawdowns.map { d in
            let end = d.recovery ?? timestamps.count - 1
            let days =
                timestamps.indices.contains(end) && timestamps.indices.contains(d.peak)
                ? Double(timestamps[end] - timestamps[d.peak]) / 86_400 : nil
            return DrawdownRow(
                depth: f(d.depth), peak: MetricSet.date(d.peak, timestamps), trough: MetricSet.date(d.trough, timestamps),
                recovery: MetricSet.date(d.recovery, timestamps), durationBars: d.duration, durationDays: days)
        }
        // Return i is dated by row i + 1; warm-up values are left out.
        let firstFull = max(report.window - 1, 0)
        let count = max(report.rollingVolatility.count - firstFull, 0)
        let rows = Downsampling.indices(count: count, maxPoints: maxPoints).map { $0 + firstFull }
        rollingVolatility = Rolling(
            window: report.window, time: rows.compactMap { MetricSet.date($0 + 1, timestamps) },
            value: rows.map { f(report.rollingVolatility[$0]) })
        skewness = f(report.skewness)
        kurtosis = f(report.kurtosis)
        beta = f(report.beta)
        benchmarkAlignedReturns = report.alignedCount
    }
}
