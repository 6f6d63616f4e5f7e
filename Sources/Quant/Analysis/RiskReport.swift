/// What `GET /analysis/risk` answers: VaR and CVaR of the simple returns at 95 % and 99 %
/// (historical, Gaussian, Cornish-Fisher; returns, negative for losses), the five worst
/// drawdowns, rolling volatility, skewness, kurtosis and beta to a benchmark.
public struct RiskReport: Sendable, Equatable {
    /// One value-at-risk estimate.
    public struct Estimate: Sendable, Equatable {
        /// How it was estimated.
        public var method: Risk.Method
        /// 0.95 or 0.99.
        public var confidence: Double
        /// The VaR, a return.
        public var value: Double
    }

    /// The confidences reported.
    public static let confidences = [0.95, 0.99]
    /// VaR by method and confidence.
    public var valueAtRisk: [Estimate]
    /// Historical CVaR (empyrical's) at each of `confidences`.
    public var conditionalValueAtRisk: [Double]
    /// The worst drawdowns, deepest first (at most five).
    public var worstDrawdowns: [DrawdownPeriod]
    /// The rolling window, bars.
    public var window: Int
    /// Annualised volatility over the rolling window, one per return (NaN during warm-up).
    public var rollingVolatility: [Double]
    /// Population skewness of the returns.
    public var skewness: Double
    /// Excess kurtosis of the returns.
    public var kurtosis: Double
    /// Beta against the benchmark, on date-aligned returns.
    public var beta: Double?
    /// Returns that matched a benchmark date.
    public var alignedCount: Int?

    /// The report of the curve `values` at `timestamps`.
    public init(
        timestamps: [Int64], values: [Double], benchmark: (timestamps: [Int64], prices: [Double])? = nil,
        window: Int = 21, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) {
        let r = try Metrics.simpleReturns(values)
        var estimates: [Estimate] = []
        for method in Risk.Method.allCases {
            for c in Self.confidences {
                estimates.append(Estimate(method: method, confidence: c, value: try Risk.valueAtRisk(r, confidence: c, method: method)))
            }
        }
        valueAtRisk = estimates
        var cvar: [Double] = []
        for c in Self.confidences { cvar.append(try Risk.conditionalValueAtRisk(r, confidence: c)) }
        conditionalValueAtRisk = cvar
        worstDrawdowns = DrawdownPeriod.worst(5, returns: r)
        self.window = window
        rollingVolatility = try Risk.rollingVolatility(r, window: window, periodsPerYear: periodsPerYear)
        skewness = Risk.skewness(r)
        kurtosis = Risk.kurtosis(r)
        if let benchmark {
            let aligned = try Metrics.alignedReturns((timestamps, values), benchmark: benchmark)
            alignedCount = aligned.returns.count
            beta = try Metrics.beta(aligned.returns, benchmark: aligned.benchmark)
        }
    }
}
