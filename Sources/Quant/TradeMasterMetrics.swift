/// The figures TradeMaster's `evaluate()` reports, computed its way, so users can compare.
///
/// With A the total-asset (equity) series and r_t = A_{t+1}/A_t − 1, numpy std with ddof = 0:
/// total return = A_T/A_0 − 1; Sharpe = mean(r)·√252/std(r); volatility = std(r), not
/// annualised; max drawdown = max((running peak − A)/running peak), positive; Calmar = Σr / MDD;
/// Sortino = Σr / std(r where r < 0) / √N. Note these differ from the empyrical-style figures
/// of `PerformanceMetrics` (ddof, annualisation, sign of the drawdown).
public struct TradeMasterMetrics: Sendable, Equatable {
    /// A_T/A_0 − 1.
    public var totalReturn: Double
    /// mean(r)·√252/std(r), ddof = 0.
    public var sharpe: Double
    /// std(r), ddof = 0, per period.
    public var volatility: Double
    /// The largest fall from a running peak, as a positive fraction.
    public var maxDrawdown: Double
    /// Σr / max drawdown.
    public var calmar: Double
    /// Σr / std(negative r) / √N.
    public var sortino: Double

    /// Computes the figures of an asset series (at least one value; all finite).
    public init(assets a: [Double]) throws(QuantError) {
        try Validation.requireFinite(a, name: "assets")
        guard !a.isEmpty else { throw .insufficientData(what: "assets", required: 1, actual: 0) }
        self.init(assets: a, returns: try Metrics.simpleReturns(a))
    }

    /// The figures of a finite, non-empty asset series and its simple returns (the caller's,
    /// e.g. `PerformanceMetrics`', which already has them).
    init(assets a: [Double], returns r: [Double]) {
        let total = r.withUnsafeBufferPointer(Statistics.sum)
        let pass = r.withUnsafeBufferPointer { Self.squaresAndNegatives($0, mean: total / Double(r.count)) }
        self.init(assets: a, returns: r, sum: total, pass: pass, maxDrawdown: a.withUnsafeBufferPointer(Self.maxDrawdown))
    }

    /// What one pass over the returns gives: Σ(r − mean)² (`Statistics.squaredDeviations`' sum,
    /// bit for bit) and the count and sum of the negative returns.
    struct SquaresAndNegatives {
        /// Σ(r − mean)².
        var squaredDeviations: Double
        /// How many returns are negative.
        var negativeCount: Int
        /// Their sum (two lanes, even and odd positions, then the last odd one).
        var negativeSum: Double
    }

    /// Σ(r − mean)² in `Statistics.squaredDeviations`' four lanes (the tail joining the first)
    /// and the negatives' count and sum in two lanes (branch-free: half the returns are negative,
    /// in no order a predictor could learn), in one pass.
    static func squaresAndNegatives(_ x: UnsafeBufferPointer<Double>, mean m: Double) -> SquaresAndNegatives {
        var q0 = 0.0
        var q1 = 0.0
        var q2 = 0.0
        var q3 = 0.0
        var sums = SIMD2<Double>.zero
        var counts = SIMD2<Int64>.zero
        @inline(__always) func negatives(_ v: SIMD2<Double>) {
            let negative = v .< 0
            sums += SIMD2<Double>.zero.replacing(with: v, where: negative)
            counts &+= SIMD2<Int64>.zero.replacing(with: 1, where: negative)
        }
        let n = x.count
        var i = 0
        while i + 4 <= n {
            q0 += (x[i] - m) * (x[i] - m)
            q1 += (x[i + 1] - m) * (x[i + 1] - m)
            q2 += (x[i + 2] - m) * (x[i + 2] - m)
            q3 += (x[i + 3] - m) * (x[i + 3] - m)
            negatives(SIMD2(x[i], x[i + 1]))
            negatives(SIMD2(x[i + 2], x[i + 3]))
            i += 4
        }
        for j in i..<n { q0 += (x[j] - m) * (x[j] - m) }
        if i + 2 <= n {
            negatives(SIMD2(x[i], x[i + 1]))
            i += 2
        }
        var count = Int(counts[0] &+ counts[1])
        var s0 = sums[0]
        if i < n, x[i] < 0 {
            s0 += x[i]
            count += 1
        }
        return SquaresAndNegatives(squaredDeviations: (q0 + q1) + (q2 + q3), negativeCount: count, negativeSum: s0 + sums[1])
    }

    /// The figures from sums the caller already has: Σr (`Statistics.sum`'s), `squaresAndNegatives`
    /// about that sum's mean and `maxDrawdown(a)`; the same numbers.
    init(assets a: [Double], returns r: [Double], sum total: Double, pass: SquaresAndNegatives, maxDrawdown mdd: Double) {
        let n = Double(r.count)
        let squaredDeviations = pass.squaredDeviations
        let negativeCount = pass.negativeCount
        let negativeSum = pass.negativeSum
        let mean = total / n
        let sd = (squaredDeviations / n).squareRoot()
        // numpy's std of the negative returns (ddof = 0; NaN when there are none).
        var negativeSD = Double.nan
        if negativeCount > 0 {
            let m = negativeSum / Double(negativeCount)
            let squares = r.withUnsafeBufferPointer { x in
                var acc = SIMD2<Double>.zero
                var i = 0
                while i + 2 <= x.count {
                    let v = SIMD2(x[i], x[i + 1])
                    let d = v - m
                    acc += SIMD2<Double>.zero.replacing(with: d * d, where: v .< 0)
                    i += 2
                }
                var s0 = acc[0]
                if i < x.count, x[i] < 0 { s0 += (x[i] - m) * (x[i] - m) }
                return s0 + acc[1]
            }
            negativeSD = (squares / Double(negativeCount)).squareRoot()
        }
        totalReturn = a[a.count - 1] / a[0] - 1
        sharpe = mean * (252.0).squareRoot() / sd
        volatility = sd
        maxDrawdown = mdd
        calmar = total / maxDrawdown
        sortino = total / negativeSD / n.squareRoot()
    }

    /// max((running peak − a)/running peak) over the series. For a positive peak the fall is
    /// largest at the lowest value before the next peak (the division is monotone), so one
    /// division per peak suffices; other peaks take one per value, as the definition does.
    static func maxDrawdown(_ a: UnsafeBufferPointer<Double>) -> Double {
        var state = TradeMasterDrawdown()
        for v in a { state.step(v) }
        return state.finish()
    }
}

/// The running state of `TradeMasterMetrics.maxDrawdown`: the peak, the lowest value since it
/// (while it is positive) and the largest fall so far. Values are fed in order; a caller may
/// also lower `low` to the minimum of values below a positive peak it has not fed one by one.
struct TradeMasterDrawdown {
    var peak = -Double.infinity
    var low = Double.infinity
    var mdd = -Double.infinity

    @inline(__always)
    mutating func step(_ v: Double) {
        if v > peak {
            if peak > 0 { mdd = max(mdd, (peak - low) / peak) }
            peak = v
            low = v
            if !(peak > 0) { mdd = max(mdd, (peak - v) / peak) }
        } else if peak > 0 {
            low = min(low, v)
        } else {
            mdd = max(mdd, (peak - v) / peak)
        }
    }

    /// The largest fall, the last peak's included.
    func finish() -> Double {
        peak > 0 ? max(mdd, (peak - low) / peak) : mdd
    }
}
