/// The full metric set of a return series in shared passes: the same numbers, bit for bit, as
/// the separate functions of `Metrics` and `Risk` (which each read the whole series again), for
/// callers that want all of them (`PerformanceMetrics`, the analysis routes).
///
/// One pass gives Σr, the downside squares and the Omega ratio's gains and losses (Sharpe,
/// volatility, Sortino, downside risk, Omega); one drawdown pass gives the maximum drawdown
/// and the final wealth (Calmar); one histogram and one gather pass give the tail ratio's
/// percentiles, the VaR and the CVaR; against a benchmark, β is computed once for β and α.
public struct ReturnMetrics: Sendable, Equatable {
    /// ∏(1 + r) − 1.
    public var cumulativeReturn: Double = .nan
    /// CAGR.
    public var annualReturn: Double = .nan
    /// std(ddof = 1) · √periodsPerYear.
    public var annualVolatility: Double = .nan
    /// Sharpe ratio (risk-free 0).
    public var sharpe: Double = .nan
    /// Sortino ratio.
    public var sortino: Double = .nan
    /// Calmar ratio.
    public var calmar: Double = .nan
    /// Max drawdown (a negative fraction).
    public var maxDrawdown: Double = .nan
    /// Omega ratio at threshold 0.
    public var omega: Double = .nan
    /// Tail ratio.
    public var tailRatio: Double = .nan
    /// R² of the cumulative log returns against time.
    public var stability: Double = .nan
    /// Annualised downside deviation.
    public var downsideRisk: Double = .nan
    /// Historical 95 % VaR (a return, negative for a loss).
    public var valueAtRisk95: Double = .nan
    /// 95 % CVaR (a return, negative for a loss).
    public var conditionalValueAtRisk95: Double = .nan
    /// Annualised alpha against the benchmark, when one was given.
    public var alpha: Double?
    /// Beta against the benchmark.
    public var beta: Double?
    /// Information ratio against the benchmark (not annualised).
    public var informationRatio: Double?

    /// Below this many returns the separate functions are as fast; they are used as they are.
    static let sharedPassMinimum = 64

    /// Every metric of the returns `r`, and alpha, beta and the information ratio against
    /// `benchmark` (returns aligned with `r`, same count) when given.
    public init(
        returns r: [Double], benchmark: [Double]? = nil, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) {
        try self.init(returns: r, benchmark: benchmark, periodsPerYear: periodsPerYear, overwritingReturns: false)
    }

    /// The metrics; with `overwritingReturns`, stability reuses the returns' memory (the caller
    /// hands over its only reference and saves an array).
    init(
        returns r: consuming [Double], benchmark: [Double]?, periodsPerYear: Double, overwritingReturns: Bool,
        prepared: Prepared? = nil
    ) throws(QuantError) {
        if let f = benchmark, f.count != r.count {
            throw .lengthMismatch(what: "benchmark returns", expected: r.count, actual: f.count)
        }
        let n = r.count
        guard n >= Self.sharedPassMinimum else {
            self = try Self(separately: r, benchmark: benchmark, periodsPerYear: periodsPerYear)
            return
        }
        let count = Double(n)
        let sums = prepared?.sums ?? r.withUnsafeBufferPointer(Metrics.returnSums)
        let mean = sums.sum / count
        // As `Statistics.standardDeviation` (ddof = 1) and `meanAndDispersion`.
        let squares = prepared?.squaredDeviations ?? r.withUnsafeBufferPointer { Statistics.squaredDeviations($0, mean: mean) }
        let sd = (squares / (count - 1)).squareRoot()
        var dispersion = sd
        if sd.isFinite, sd > 0, sd < 1e-12, let first = r.first, r.allSatisfy({ $0 == first }) { dispersion = 0 }
        let (mdd, wealth) = prepared.map { ($0.maxDrawdown, $0.wealth) } ?? Metrics.drawdownAndWealth(r)
        cumulativeReturn = prepared.map { $0.wealth - 1 } ?? Metrics.cumulativeReturn(r)
        annualReturn = Math.pow(cumulativeReturn + 1, 1 / (count / periodsPerYear)) - 1
        annualVolatility = sd * Math.pow(periodsPerYear, 1 / 2.0)
        sharpe = mean / dispersion * periodsPerYear.squareRoot()
        sortino = Metrics.sortino(sums, count: n, periodsPerYear: periodsPerYear)
        downsideRisk = (sums.downsideSquares / count).squareRoot() * periodsPerYear.squareRoot()
        omega = Metrics.omega(sums)
        maxDrawdown = mdd
        if mdd < 0 {
            let value = (Math.pow(wealth, 1 / (count / periodsPerYear)) - 1) / abs(mdd)
            calmar = value.isInfinite ? .nan : value
        } else {
            calmar = .nan
        }
        // Risk.valueAtRisk's percentile is 100·(1 − 0.95), not exactly 5.
        let varPercentile = 100 * (1 - 0.95)
        let cvarCount = Int(Double(n - 1) * (1 - 0.95)) + 1
        if let tails = r.withUnsafeBufferPointer({
            RadixSelection.percentilesAndLowestSum([95, 5, varPercentile], lowest: cvarCount, of: $0)
        }) {
            tailRatio = abs(tails.percentiles[0]) / abs(tails.percentiles[1])
            valueAtRisk95 = tails.percentiles[2]
            conditionalValueAtRisk95 = tails.lowestSum / Double(cvarCount)
        } else {
            tailRatio = Metrics.tailRatio(r)
            valueAtRisk95 = try Risk.valueAtRisk(r, confidence: 0.95)
            conditionalValueAtRisk95 = try Risk.conditionalValueAtRisk(r, confidence: 0.95)
        }
        if let f = benchmark {
            let benchmarkMean = Statistics.mean(f)
            let b = Metrics.beta(r, benchmark: f, benchmarkMean: benchmarkMean)
            beta = b
            alpha = Math.pow(mean - b * benchmarkMean + 1, periodsPerYear) - 1
            informationRatio = try Metrics.informationRatio(r, benchmark: f)
        }
        // Last: stability may overwrite the returns.
        if overwritingReturns {
            var owned = consume r
            stability = Metrics.stability(overwriting: &owned)
        } else {
            stability = Metrics.stability(r)
        }
    }

    /// What a caller that has passed over the returns already hands over instead of passing
    /// again (`PerformanceMetrics`): the sums, Σ(r − mean)² about their mean, and the maximum
    /// drawdown and final wealth of one running product (`DrawdownInfo.scan`'s; these differ
    /// from `Metrics.maxDrawdown`'s and `Metrics.cumulativeReturn`'s, which join four and eight
    /// running products, by rounding only).
    struct Prepared {
        /// `Metrics.returnSums` of the returns.
        var sums: Metrics.ReturnSums
        /// `Statistics.squaredDeviations` of the returns about `sums.sum / count`.
        var squaredDeviations: Double
        /// The maximum drawdown (a negative fraction, 0 if none).
        var maxDrawdown: Double
        /// ∏(1 + r).
        var wealth: Double
    }

    /// The same figures from the separate functions.
    init(separately r: [Double], benchmark: [Double]?, periodsPerYear: Double) throws(QuantError) {
        cumulativeReturn = Metrics.cumulativeReturn(r)
        annualReturn = Metrics.annualReturn(r, periodsPerYear: periodsPerYear)
        annualVolatility = Metrics.annualVolatility(r, periodsPerYear: periodsPerYear)
        sharpe = Metrics.sharpeRatio(r, periodsPerYear: periodsPerYear)
        sortino = Metrics.sortinoRatio(r, periodsPerYear: periodsPerYear)
        calmar = Metrics.calmarRatio(r, periodsPerYear: periodsPerYear)
        maxDrawdown = Metrics.maxDrawdown(r)
        omega = Metrics.omegaRatio(r)
        tailRatio = Metrics.tailRatio(r)
        stability = Metrics.stability(r)
        downsideRisk = Metrics.downsideRisk(r, periodsPerYear: periodsPerYear)
        valueAtRisk95 = try Risk.valueAtRisk(r, confidence: 0.95)
        conditionalValueAtRisk95 = try Risk.conditionalValueAtRisk(r, confidence: 0.95)
        if let f = benchmark {
            beta = try Metrics.beta(r, benchmark: f)
            alpha = try Metrics.alpha(r, benchmark: f, periodsPerYear: periodsPerYear)
            informationRatio = try Metrics.informationRatio(r, benchmark: f)
        }
    }
}
