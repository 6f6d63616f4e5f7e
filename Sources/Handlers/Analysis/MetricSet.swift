import Foundation
import Quant

/// The empyrical metric set of a curve, as JSON (undefined values are null). Keys match
/// `tm metrics --json`.
struct MetricSet: Codable, Equatable {
    var periodsPerYear: Double?
    var returnCount: Int
    var cumulativeReturn: Double?
    var annualReturn: Double?
    var annualVolatility: Double?
    var sharpe: Double?
    var sortino: Double?
    var calmar: Double?
    var omega: Double?
    var tailRatio: Double?
    var stability: Double?
    var downsideRisk: Double?
    var maxDrawdown: Double?
    var valueAtRisk95: Double?
    var conditionalValueAtRisk95: Double?
    /// Against the benchmark, when one was given.
    var alpha: Double?
    var beta: Double?
    var informationRatio: Double?
    var benchmarkAlignedReturns: Int?
    /// The worst drawdown's dates.
    var drawdown: Drawdown?
    /// TradeMaster's own figures of the same curve.
    var trademaster: TradeMasterSet?

    enum CodingKeys: String, CodingKey {
        case periodsPerYear = "periods_per_year"
        case returnCount = "return_count"
        case cumulativeReturn = "cumulative_return"
        case annualReturn = "annual_return"
        case annualVolatility = "annual_volatility"
        case sharpe, sortino, calmar, omega
        case tailRatio = "tail_ratio"
        case stability
        case downsideRisk = "downside_risk"
        case maxDrawdown = "max_drawdown"
        case valueAtRisk95 = "value_at_risk_95"
        case conditionalValueAtRisk95 = "conditional_value_at_risk_95"
        case alpha, beta
        case informationRatio = "information_ratio"
        case benchmarkAlignedReturns = "benchmark_aligned_returns"
        case drawdown, trademaster
    }

    /// The worst drawdown: dates of its peak, trough and recovery.
    struct Drawdown: Codable, Equatable {
        var peak: Date?
        var trough: Date?
        var recovery: Date?
        var durationBars: Int
    }

    /// TradeMaster's `evaluate()` figures.
    struct TradeMasterSet: Codable, Equatable {
        var totalReturn: Double?
        var sharpe: Double?
        var volatility: Double?
        var maxDrawdown: Double?
        var calmar: Double?
        var sortino: Double?
    }

    /// A finite value, nil otherwise (JSON null).
    static func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }

    /// The date of row `i` of `timestamps`.
    static func date(_ i: Int?, _ timestamps: [Int64]) -> Date? {
        guard let i, timestamps.indices.contains(i) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timestamps[i]))
    }

    /// The set of `m`, whose curve has `timestamps`.
    init(_ m: PerformanceMetrics, timestamps: [Int64]) {
        let f = Self.finite
        periodsPerYear = f(m.periodsPerYear)
        returnCount = m.returnCount
        cumulativeReturn = f(m.cumulativeReturn)
        annualReturn = f(m.annualReturn)
        annualVolatility = f(m.annualVolatility)
        sharpe = f(m.sharpe)
        sortino = f(m.sortino)
        calmar = f(m.calmar)
        omega = f(m.omega)
        tailRatio = f(m.tailRatio)
        stability = f(m.stability)
        downsideRisk = f(m.downsideRisk)
        maxDrawdown = f(m.maxDrawdown)
        valueAtRisk95 = f(m.valueAtRisk95)
        conditionalValueAtRisk95 = f(m.conditionalValueAtRisk95)
        alpha = f(m.alpha)
        beta = f(m.beta)
        informationRatio = f(m.informationRatio)
        benchmarkAlignedReturns = m.alignedCount
        drawdown = m.drawdown.map { d in
            Drawdown(
                peak: Self.date(d.peak, timestamps), trough: Self.date(d.trough, timestamps),
                recovery: Self.date(d.recovery, timestamps), durationBars: d.duration)
        }
        trademaster = m.tradeMaster.map { t in
            TradeMasterSet(
                totalReturn: f(t.totalReturn), sharpe: f(t.sharpe), volatility: f(t.volatility),
                maxDrawdown: f(t.maxDrawdown), calmar: f(t.calmar), sortino: f(t.sortino))
        }
    }
}
