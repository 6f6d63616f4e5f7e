/// The full metric set of an equity or price curve (empyrical conventions, see `Metrics`).
public struct PerformanceMetrics: Sendable, Equatable {
    /// Periods per year used for annualisation.
    public var periodsPerYear: Double
    /// Number of returns (rows − 1).
    public var returnCount: Int
    /// ∏(1 + r) − 1.
    public var cumulativeReturn: Double
    /// CAGR.
    public var annualReturn: Double
    /// std · √periodsPerYear.
    public var annualVolatility: Double
    /// Sharpe ratio (risk-free 0).
    public var sharpe: Double
    /// Sortino ratio.
    public var sortino: Double
    /// Calmar ratio.
    public var calmar: Double
    /// Omega ratio at threshold 0.
    public var omega: Double
    /// Tail ratio.
    public var tailRatio: Double
    /// R² of the cumulative log returns against time.
    public var stability: Double
    /// Annualised downside deviation.
    public var downsideRisk: Double
    /// The worst drawdown and its dates (nil without returns).
    public var drawdown: DrawdownInfo?
    /// Max drawdown (negative fraction; NaN without returns).
    public var maxDrawdown: Double
    /// Historical 95% VaR (a return, negative for a loss).
    public var valueAtRisk95: Double
    /// 95% CVaR / expected shortfall (a return, negative for a loss).
    public var conditionalValueAtRisk95: Double
    /// Against the benchmark, when one was given: annualised alpha, beta, information ratio.
    public var alpha: Double?
    /// Beta against the benchmark.
    public var beta: Double?
    /// Information ratio against the benchmark (not annualised).
    public var informationRatio: Double?
    /// Returns that matched a benchmark date.
    public var alignedCount: Int?
    /// TradeMaster's own figures of the same curve.
    public var tradeMaster: TradeMasterMetrics?

    /// Computes every metric of the curve `values` (prices or equity) at `timestamps`,
    /// optionally against a benchmark price series aligned by timestamp.
    public init(
        timestamps: [Int64], values: [Double],
        benchmark: (timestamps: [Int64], prices: [Double])? = nil,
        periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) {
        guard periodsPerYear > 0, periodsPerYear.isFinite else {
            throw .invalidArgument(name: "periodsPerYear", reason: "must be positive, got \(periodsPerYear)")
        }
        guard timestamps.count == values.count else {
            throw .lengthMismatch(what: "timestamps", expected: values.count, actual: timestamps.count)
        }
        // The returns and TradeMaster's drawdown of the values in one pass.
        let (r, tradeMasterDrawdown) = try Metrics.simpleReturnsAndTradeMasterDrawdown(values)
        let count = r.count
        var worst: DrawdownInfo?
        var prepared: ReturnMetrics.Prepared?
        if count >= ReturnMetrics.sharedPassMinimum {
            // Shared passes: one over the returns for their sums, one for the squared deviations
            // (ddof 1 here, 0 for TradeMaster), one for every drawdown figure (the worst
            // drawdown and its dates, the final wealth, TradeMaster's drawdown of the equity).
            let sums = r.withUnsafeBufferPointer(Metrics.returnSums)
            // Σ(r − mean)² and TradeMaster's count and sum of the negative returns in one pass.
            let pass = r.withUnsafeBufferPointer { TradeMasterMetrics.squaresAndNegatives($0, mean: sums.sum / Double(count)) }
            let squares = pass.squaredDeviations
            let scan = r.withUnsafeBufferPointer(DrawdownInfo.scan)
            worst = scan.info
            prepared = ReturnMetrics.Prepared(
                sums: sums, squaredDeviations: squares, maxDrawdown: scan.info.maxDrawdown, wealth: scan.wealth)
            tradeMaster = TradeMasterMetrics(
                assets: values, returns: r, sum: sums.sum, pass: pass, maxDrawdown: tradeMasterDrawdown)
        } else {
            worst = DrawdownInfo(returns: r)
            // simpleReturns has checked that the values are finite.
            tradeMaster = values.isEmpty ? nil : TradeMasterMetrics(assets: values, returns: r)
        }
        // The returns go last to ReturnMetrics, which may overwrite them.
        let m = try ReturnMetrics(
            returns: consume r, benchmark: nil, periodsPerYear: periodsPerYear, overwritingReturns: true, prepared: prepared)
        self.periodsPerYear = periodsPerYear
        returnCount = count
        cumulativeReturn = m.cumulativeReturn
        annualReturn = m.annualReturn
        annualVolatility = m.annualVolatility
        sharpe = m.sharpe
        sortino = m.sortino
        calmar = m.calmar
        omega = m.omega
        tailRatio = m.tailRatio
        stability = m.stability
        downsideRisk = m.downsideRisk
        drawdown = worst
        maxDrawdown = m.maxDrawdown
        valueAtRisk95 = m.valueAtRisk95
        conditionalValueAtRisk95 = m.conditionalValueAtRisk95
        if let benchmark {
            let aligned = try Metrics.alignedReturns((timestamps, values), benchmark: benchmark)
            alignedCount = aligned.returns.count
            beta = try Metrics.beta(aligned.returns, benchmark: aligned.benchmark)
            alpha = try Metrics.alpha(aligned.returns, benchmark: aligned.benchmark, periodsPerYear: periodsPerYear)
            informationRatio = try Metrics.informationRatio(aligned.returns, benchmark: aligned.benchmark)
        }
    }
}
