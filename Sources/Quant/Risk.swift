/// Risk measures of a return series. VaR and CVaR are returns: negative numbers for losses
/// (a 95% VaR of −0.023 means a 5% chance of losing more than 2.3% in one period).
public enum Risk {
    /// The ways to estimate value at risk.
    public enum Method: String, Sendable, CaseIterable {
        /// The (1 − confidence) percentile of the returns, linear interpolation (numpy's default).
        case historical
        /// mean + z·std(ddof = 1), z the standard normal quantile of (1 − confidence).
        case gaussian
        /// Like `gaussian` with z adjusted for the sample skewness and excess kurtosis
        /// (population moments) by the Cornish-Fisher expansion.
        case cornishFisher = "cornish_fisher"
    }

    /// Value at risk at `confidence` (e.g. 0.95), a return (negative for a loss); NaN when empty.
    public static func valueAtRisk(
        _ r: [Double], confidence: Double = 0.95, method: Method = .historical
    ) throws(QuantError) -> Double {
        try check(confidence)
        guard !r.isEmpty else { return .nan }
        let cutoff = 1 - confidence
        switch method {
        case .historical:
            return Statistics.percentile(r, 100 * cutoff)
        case .gaussian:
            guard r.count >= 2 else { return .nan }
            return Statistics.mean(r) + NormalDistribution.quantile(cutoff) * Statistics.standardDeviation(r)
        case .cornishFisher:
            guard r.count >= 2 else { return .nan }
            let z = NormalDistribution.quantile(cutoff)
            let (s, k) = Statistics.moments(r)
            let z2 = z * z
            let z3 = z2 * z
            let zcf = z + (z2 - 1) * s / 6 + (z3 - 3 * z) * k / 24 - (2 * z3 - 5 * z) * s * s / 36
            return Statistics.mean(r) + zcf * Statistics.standardDeviation(r)
        }
    }

    /// Conditional VaR (expected shortfall) as empyrical computes it: the mean of the
    /// ⌊(n − 1)·(1 − confidence)⌋ + 1 lowest returns. A return (negative for a loss); NaN when empty.
    public static func conditionalValueAtRisk(_ r: [Double], confidence: Double = 0.95) throws(QuantError) -> Double {
        try check(confidence)
        guard !r.isEmpty else { return .nan }
        let k = Int(Double(r.count - 1) * (1 - confidence))
        return r.withUnsafeBufferPointer { RadixSelection.lowestSum(k + 1, of: $0) } / Double(k + 1)
    }

    /// The drawdown after each return from a starting wealth of 1 (≤ 0), same length as `r`.
    public static func drawdownSeries(_ r: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: r.count)
        var cum = 1.0
        var peak = 100.0
        for i in r.indices {
            cum *= 1 + r[i]
            let w = cum * 100
            if w > peak { peak = w }
            out[i] = (w - peak) / peak
        }
        return out
    }

    /// Annualised volatility over a rolling window, same length as `r` (NaN for the first window − 1).
    public static func rollingVolatility(
        _ r: [Double], window: Int, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) -> [Double] {
        let scale = Math.pow(periodsPerYear, 1 / 2.0)
        return try rolling(r, window: window) { Statistics.standardDeviation($0, ddof: 1) * scale }
    }

    /// `statistic` of each full window of `r`, same length as `r` (NaN for the first window − 1).
    static func rolling(
        _ r: [Double], window: Int, _ statistic: (UnsafeBufferPointer<Double>) -> Double
    ) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window, minimum: 2)
        var out = [Double](repeating: .nan, count: r.count)
        guard r.count >= window else { return out }
        r.withUnsafeBufferPointer { p in
            for end in window...p.count {
                out[end - 1] = statistic(UnsafeBufferPointer(rebasing: p[(end - window)..<end]))
            }
        }
        return out
    }

    private static func check(_ confidence: Double) throws(QuantError) {
        guard confidence > 0, confidence < 1 else {
            throw .invalidArgument(name: "confidence", reason: "must be in (0, 1), got \(confidence)")
        }
    }
}
