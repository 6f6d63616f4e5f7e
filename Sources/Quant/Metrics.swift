/// Performance metrics of a return series, with empyrical's conventions.
///
/// Inputs are simple (non-cumulative) returns per period, risk-free rate 0, `periodsPerYear`
/// periods a year (252 by default), standard deviations with ddof = 1. Each function returns
/// NaN where empyrical does (too few returns, zero denominators); callers that serialise the
/// results turn non-finite numbers into `null` (see `JSONDocument`).
public enum Metrics {
    /// Simple returns of a price or equity series: `p[t]/p[t-1] - 1`, one fewer than the prices
    /// (the first row yields no return: it is dropped, not filled with 0).
    public static func simpleReturns(_ prices: [Double]) throws(QuantError) -> [Double] {
        try returns(prices, drawdown: false).returns
    }

    /// `simpleReturns` and TradeMaster's drawdown of the prices (`TradeMasterMetrics.maxDrawdown`'s
    /// number, bit for bit) from the same pass, for `PerformanceMetrics`, which needs both.
    static func simpleReturnsAndTradeMasterDrawdown(_ prices: [Double]) throws(QuantError) -> (returns: [Double], drawdown: Double) {
        try returns(prices, drawdown: true)
    }

    /// The returns; with `drawdown`, TradeMaster's drawdown too (else NaN). Between new peaks of a
    /// positive peak, the drawdown needs only the lowest value: four lanes of minima, exact in any
    /// order; a block of four with a value above the peak (or any block while the peak is not
    /// positive) goes through `TradeMasterDrawdown.step`, value by value.
    @inline(__always)
    private static func returns(_ prices: [Double], drawdown: Bool) throws(QuantError) -> (returns: [Double], drawdown: Double) {
        guard prices.count > 1 else {
            try Validation.requireFinite(prices, name: "prices")
            var tm = TradeMasterDrawdown()
            for v in prices { tm.step(v) }
            return ([], drawdown ? tm.finish() : .nan)
        }
        var finite = true
        var fall = Double.nan
        let out = prices.withUnsafeBufferPointer { p in
            [Double](unsafeUninitializedCapacity: p.count - 1) { o, initialized in
                var ok = p[0].isFinite
                let n = p.count
                var i = 1
                var finite4 = SIMDMask<SIMD4<Int64>>(repeating: true)
                let limit = SIMD4<Double>(repeating: .greatestFiniteMagnitude)
                var low4 = SIMD4<Double>(repeating: .infinity)
                var tm = TradeMasterDrawdown()  // local: in registers, not captured
                if drawdown { tm.step(p[0]) }
                while i + 4 <= n {
                    let cur = Statistics.load4(p, i)
                    let prev = Statistics.load4(p, i - 1)
                    let r = cur / prev - 1
                    o[i - 1] = r[0]
                    o[i] = r[1]
                    o[i + 1] = r[2]
                    o[i + 2] = r[3]
                    // |x| ≤ max finite is false for NaN and ±∞.
                    finite4 = finite4 .& (cur .<= limit) .& (cur .>= -limit)
                    if drawdown {
                        if tm.peak > 0 && all(cur .<= SIMD4(repeating: tm.peak)) {
                            low4.replace(with: cur, where: cur .< low4)  // (pointwiseMin is a call)
                        } else {
                            tm.low = min(tm.low, low4.min())
                            low4 = SIMD4(repeating: .infinity)
                            tm.step(cur[0])
                            tm.step(cur[1])
                            tm.step(cur[2])
                            tm.step(cur[3])
                        }
                    }
                    i += 4
                }
                ok = ok && all(finite4)
                if drawdown { tm.low = min(tm.low, low4.min()) }
                while i < n {
                    o[i - 1] = p[i] / p[i - 1] - 1
                    ok = ok && p[i].isFinite
                    if drawdown { tm.step(p[i]) }
                    i += 1
                }
                finite = ok
                if drawdown { fall = tm.finish() }
                initialized = p.count - 1
            }
        }
        if !finite { try Validation.requireFinite(prices, name: "prices") }
        return (out, fall)
    }

    /// Total compounded return: ∏(1 + r) − 1; NaN when empty.
    public static func cumulativeReturn(_ r: [Double]) -> Double {
        guard !r.isEmpty else { return .nan }
        return r.withUnsafeBufferPointer { x in
            // Eight running products (four pairs) hide the multiply latency.
            var w0 = SIMD2<Double>(1, 1)
            var w1 = w0
            var w2 = w0
            var w3 = w0
            let n = x.count
            var i = 0
            while i + 8 <= n {
                w0 *= 1 + SIMD2(x[i], x[i + 1])
                w1 *= 1 + SIMD2(x[i + 2], x[i + 3])
                w2 *= 1 + SIMD2(x[i + 4], x[i + 5])
                w3 *= 1 + SIMD2(x[i + 6], x[i + 7])
                i += 8
            }
            var tail = 1.0
            while i < n {
                tail *= 1 + x[i]
                i += 1
            }
            let w = (w0 * w1) * (w2 * w3)
            return w[0] * w[1] * tail - 1
        }
    }

    /// Compound annual growth rate, with years = number of returns / `periodsPerYear`.
    public static func annualReturn(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard !r.isEmpty else { return .nan }
        let years = Double(r.count) / periodsPerYear
        return Math.pow(cumulativeReturn(r) + 1, 1 / years) - 1
    }

    /// Annualised volatility: std(r, ddof = 1) · √periodsPerYear; NaN below two returns.
    public static func annualVolatility(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard r.count >= 2 else { return .nan }
        return Statistics.standardDeviation(r, ddof: 1) * Math.pow(periodsPerYear, 1 / 2.0)
    }

    /// Sharpe ratio: mean / std(ddof = 1) · √periodsPerYear (0 risk-free rate); NaN below two returns.
    public static func sharpeRatio(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard r.count >= 2 else { return .nan }
        let (mean, sd) = Statistics.meanAndDispersion(r)
        return mean / sd * periodsPerYear.squareRoot()
    }

    /// Annualised downside deviation: √(mean(min(r, 0)²)) · √periodsPerYear, over all returns,
    /// no ddof correction; NaN when empty.
    public static func downsideRisk(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard !r.isEmpty else { return .nan }
        let s = r.withUnsafeBufferPointer(returnSums).downsideSquares
        return (s / Double(r.count)).squareRoot() * periodsPerYear.squareRoot()
    }

    /// Sortino ratio: mean(r) · periodsPerYear / downside risk; NaN below two returns.
    public static func sortinoRatio(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard r.count >= 2 else { return .nan }
        let sums = r.withUnsafeBufferPointer(returnSums)
        return sortino(sums, count: r.count, periodsPerYear: periodsPerYear)
    }

    /// The Sortino ratio from the sums of the returns.
    @inline(__always)
    static func sortino(_ sums: ReturnSums, count: Int, periodsPerYear: Double) -> Double {
        let n = Double(count)
        let downside = (sums.downsideSquares / n).squareRoot() * periodsPerYear.squareRoot()
        return sums.sum / n * periodsPerYear / downside
    }

    /// The sums one pass over the returns yields for several metrics.
    struct ReturnSums {
        /// Σ r (equal to `Statistics.sum`).
        var sum: Double
        /// Σ min(r, 0)².
        var downsideSquares: Double
        /// Σ max(r, 0) and Σ min(r, 0), for the Omega ratio.
        var gains: Double, losses: Double
    }

    /// Σ r, Σ min(r, 0)², the gains and the losses in one pass (four SIMD lanes, then the tail in order).
    static func returnSums(_ x: UnsafeBufferPointer<Double>) -> ReturnSums {
        var s4 = SIMD4<Double>.zero
        var q4 = SIMD4<Double>.zero
        var l4 = SIMD4<Double>.zero
        let n = x.count
        var i = 0
        while i + 4 <= n {
            let v = Statistics.load4(x, i)
            s4 += v
            let d = v.replacing(with: 0, where: v .> 0)
            q4 += d * d
            l4 += v.replacing(with: 0, where: v .>= 0)
            i += 4
        }
        let lanes = (s4[0] + s4[1]) + (s4[2] + s4[3])
        let lossLanes = (l4[0] + l4[1]) + (l4[2] + l4[3])
        var s = lanes
        var q = (q4[0] + q4[1]) + (q4[2] + q4[3])
        // (v ± |v|)/2 is exactly the positive or negative part, without a branch.
        var g = lanes - lossLanes
        var l = lossLanes
        while i < n {
            let v = x[i]
            s += v
            let d = min(v, 0)
            q += d * d
            g += (v + abs(v)) * 0.5
            l += (v - abs(v)) * 0.5
            i += 1
        }
        return ReturnSums(sum: s, downsideSquares: q, gains: g, losses: l)
    }

    /// Maximum drawdown from a starting wealth of 1, as a negative fraction (0 if none); NaN when empty.
    public static func maxDrawdown(_ r: [Double]) -> Double {
        guard !r.isEmpty else { return .nan }
        return drawdownAndWealth(r).drawdown
    }

    /// The maximum drawdown and the final wealth ∏(1 + r) (from 1), in one pass.
    static func drawdownAndWealth(_ r: [Double]) -> (drawdown: Double, wealth: Double) {
        r.withUnsafeBufferPointer { x in
            if x.count >= 4096, let d = maxDrawdownInLanes(x) { return d }
            return drawdownSequential(x)
        }
    }

    /// `maxDrawdown` with one running product.
    static func maxDrawdownSequential(_ x: UnsafeBufferPointer<Double>) -> Double { drawdownSequential(x).drawdown }

    /// One pass over the wealth curve, one running product: the maximum drawdown and the final wealth.
    static func drawdownSequential(_ x: UnsafeBufferPointer<Double>) -> (drawdown: Double, wealth: Double) {
        // The deepest point under each running peak is its segment's lowest wealth; division is
        // monotone, so one division per segment gives exactly the per-row minimum.
        var peak = 100.0
        var lowest = 100.0
        var worst = 0.0
        var cum = 1.0
        for v in x {
            cum *= 1 + v
            let wealth = cum * 100
            if wealth > peak {
                worst = min(worst, (lowest - peak) / peak)
                peak = wealth
                lowest = wealth
            } else {
                lowest = min(lowest, wealth)
            }
        }
        return (min(worst, (lowest - peak) / peak), cum)
    }

    /// One lane of `maxDrawdownInLanes`: a quarter of the returns, wealth relative to its start.
    private struct DrawdownLane {
        var cum = 1.0, peak = 1.0, lowest = 1.0, worst = 0.0
        /// The smallest return seen (a factor 1 + r ≤ 0 sends the caller to the sequential pass).
        var smallest = 0.0
        /// Each new peak above 1 and the lowest wealth before it, in order (peaks ascending).
        var records: [(peak: Double, lowestBefore: Double)] = []
        var lowestSoFar = Double.infinity

        @inline(__always) mutating func step(_ v: Double) {
            cum *= 1 + v
            smallest = min(smallest, v)
            if cum > peak {
                worst = min(worst, (lowest - peak) / peak)
                lowestSoFar = min(lowestSoFar, lowest)
                records.append((cum, lowestSoFar))
                peak = cum
                lowest = cum
            } else {
                lowest = min(lowest, cum)
            }
        }
    }

    /// The maximum drawdown with four independent running products (one per quarter of the
    /// returns) instead of one serial chain; the quarters are joined by their start wealth and
    /// the peak carried into each. Nil when some wealth is not positive and finite.
    static func maxDrawdownInLanes(_ x: UnsafeBufferPointer<Double>) -> (drawdown: Double, wealth: Double)? {
        let n = x.count
        let len = n / 4
        var a = DrawdownLane()
        var b = DrawdownLane()
        var c = DrawdownLane()
        var d = DrawdownLane()
        a.records.reserveCapacity(256)
        b.records.reserveCapacity(256)
        c.records.reserveCapacity(256)
        d.records.reserveCapacity(256)
        var j = 0
        while j < len {
            a.step(x[j])
            b.step(x[len + j])
            c.step(x[2 * len + j])
            d.step(x[3 * len + j])
            j += 1
        }
        var k = 4 * len
        while k < n {
            d.step(x[k])
            k += 1
        }
        var scale = 1.0
        var carried = 1.0  // wealth at the lane's start; the peak before it
        var worst = 0.0
        for lane in [a, b, c, d] {
            guard lane.smallest > -1, lane.cum > 0, lane.cum.isFinite else { return nil }
            // Until the lane first rises above the carried peak, its drawdowns are measured from that peak.
            let p = carried / scale
            var before = min(lane.lowestSoFar, lane.lowest)
            if let first = lane.records.first(where: { $0.peak > p }) { before = first.lowestBefore }
            worst = min(worst, (before - p) / p)
            worst = min(worst, lane.worst, (lane.lowest - lane.peak) / lane.peak)
            carried = max(carried, scale * lane.peak)
            scale *= lane.cum
            guard scale > 0, scale.isFinite else { return nil }
        }
        return (worst, scale)
    }

    /// Calmar ratio: annual return / |max drawdown|; NaN without a drawdown or when infinite.
    public static func calmarRatio(_ r: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear) -> Double {
        guard !r.isEmpty else { return .nan }
        // The drawdown pass also yields the final wealth, hence the annual return.
        let (mdd, wealth) = drawdownAndWealth(r)
        guard mdd < 0 else { return .nan }
        let annual = Math.pow(wealth, 1 / (Double(r.count) / periodsPerYear)) - 1
        let value = annual / abs(mdd)
        return value.isInfinite ? .nan : value
    }

    /// Omega ratio at threshold 0: Σ gains / Σ |losses|; NaN below two returns or without losses.
    public static func omegaRatio(_ r: [Double]) -> Double {
        guard r.count >= 2 else { return .nan }
        return omega(r.withUnsafeBufferPointer(returnSums))
    }

    /// The Omega ratio from the sums of the returns.
    @inline(__always)
    static func omega(_ sums: ReturnSums) -> Double {
        let denominator = -1.0 * sums.losses
        return denominator > 0 ? sums.gains / denominator : .nan
    }

    /// Tail ratio: |95th percentile| / |5th percentile| (linear interpolation); NaN when empty.
    public static func tailRatio(_ r: [Double]) -> Double {
        guard !r.isEmpty else { return .nan }
        let p = RadixSelection.percentiles([95, 5], of: r)
        return abs(p[0]) / abs(p[1])
    }

    /// Stability: R² of a least-squares line through the cumulative log returns; NaN below two returns.
    public static func stability(_ r: [Double]) -> Double {
        guard r.count >= 2 else { return .nan }
        var y = [Double](unsafeUninitializedCapacity: r.count) { out, initialized in
            r.withUnsafeBufferPointer { x in Math.log1pFast(x, into: out) }
            initialized = r.count
        }
        return stability(ofLogReturns: &y)
    }

    /// `stability` of returns it overwrites (with their logs, in place, then their running
    /// sums): a caller that holds the only reference to them saves an array.
    static func stability(overwriting y: inout [Double]) -> Double {
        guard y.count >= 2 else { return .nan }
        y.withUnsafeMutableBufferPointer { p in Math.log1pFast(UnsafeBufferPointer(p), into: p) }
        return stability(ofLogReturns: &y)
    }

    /// `stability` from the log returns, which it overwrites with their running sums.
    private static func stability(ofLogReturns y: inout [Double]) -> Double {
        let n = y.count
        // The running sum in four independent lanes (quarters of the series), each relative to
        // its lane's start; `offsets` moves a lane's values to the whole series' running sum.
        let lanes = n >= 64 ? 4 : 1
        let len = n / lanes
        var starts = [Int](repeating: 0, count: lanes + 1)
        for k in 0..<lanes { starts[k] = k * len }
        starts[lanes] = n
        var offsets = [Double](repeating: 0, count: lanes)
        let yMean = y.withUnsafeMutableBufferPointer { out -> Double in
            if lanes == 4 {
                var a0 = 0.0
                var a1 = 0.0
                var a2 = 0.0
                var a3 = 0.0  // running sums
                var s0 = 0.0
                var s1 = 0.0
                var s2 = 0.0
                var s3 = 0.0  // sums of the running sums
                let b1 = len
                let b2 = 2 * len
                let b3 = 3 * len
                for j in 0..<len {
                    a0 += out[j]
                    out[j] = a0
                    s0 += a0
                    a1 += out[b1 + j]
                    out[b1 + j] = a1
                    s1 += a1
                    a2 += out[b2 + j]
                    out[b2 + j] = a2
                    s2 += a2
                    a3 += out[b3 + j]
                    out[b3 + j] = a3
                    s3 += a3
                }
                for j in (4 * len)..<n {
                    a3 += out[j]
                    out[j] = a3
                    s3 += a3
                }
                offsets = [0, a0, a0 + a1, a0 + a1 + a2]
                let total =
                    s0 + (s1 + Double(len) * offsets[1]) + (s2 + Double(len) * offsets[2])
                    + (s3 + Double(n - b3) * offsets[3])
                return total / Double(n)
            }
            var acc = 0.0
            var sum = 0.0
            for i in 0..<n {
                acc += out[i]
                out[i] = acc
                sum += acc
            }
            return sum / Double(n)
        }
        let xMean = Double(n - 1) / 2
        var sxx = 0.0
        var syy = 0.0
        var sxy = 0.0
        y.withUnsafeBufferPointer { all in
            for k in 0..<lanes {
                let lo = starts[k]
                let hi = starts[k + 1]
                let yy = UnsafeBufferPointer(rebasing: all[lo..<hi])
                let m = yMean - offsets[k]
                let count = hi - lo
                var xx4 = SIMD4<Double>.zero
                var vv4 = SIMD4<Double>.zero
                var xy4 = SIMD4<Double>.zero
                var dx4 = SIMD4<Double>(0, 1, 2, 3) + (Double(lo) - xMean)
                var i = 0
                while i + 4 <= count {
                    let dy = Statistics.load4(yy, i) - m
                    xx4 += dx4 * dx4
                    vv4 += dy * dy
                    xy4 += dx4 * dy
                    dx4 += 4
                    i += 4
                }
                var xx = (xx4[0] + xx4[1]) + (xx4[2] + xx4[3])
                var vv = (vv4[0] + vv4[1]) + (vv4[2] + vv4[3])
                var xy = (xy4[0] + xy4[1]) + (xy4[2] + xy4[3])
                while i < count {
                    let dx = Double(lo + i) - xMean
                    let dy = yy[i] - m
                    xx += dx * dx
                    vv += dy * dy
                    xy += dx * dy
                    i += 1
                }
                sxx += xx
                syy += vv
                sxy += xy
            }
        }
        sxx /= Double(n)
        syy /= Double(n)
        sxy /= Double(n)
        let den = (sxx * syy).squareRoot()
        var rho = den == 0 ? 0 : sxy / den
        rho = min(max(rho, -1), 1)
        return rho * rho
    }

    /// Beta of `r` against `benchmark` (same length, aligned): cov / var, population moments;
    /// NaN below two returns or when the benchmark variance is below 1e-30.
    public static func beta(_ r: [Double], benchmark f: [Double]) throws(QuantError) -> Double {
        guard r.count == f.count else { throw .lengthMismatch(what: "benchmark returns", expected: r.count, actual: f.count) }
        guard r.count >= 2 else { return .nan }
        return beta(r, benchmark: f, benchmarkMean: Statistics.mean(f))
    }

    /// Beta given the mean of the benchmark returns (same length, at least two).
    static func beta(_ r: [Double], benchmark f: [Double], benchmarkMean fm: Double) -> Double {
        var (cov, variance) = r.withUnsafeBufferPointer { x in
            f.withUnsafeBufferPointer { y in
                var c4 = SIMD4<Double>.zero
                var v4 = SIMD4<Double>.zero
                let n = x.count
                var i = 0
                while i + 4 <= n {
                    let d = Statistics.load4(y, i) - fm
                    c4 += d * Statistics.load4(x, i)
                    v4 += d * d
                    i += 4
                }
                var c = (c4[0] + c4[1]) + (c4[2] + c4[3])
                var v = (v4[0] + v4[1]) + (v4[2] + v4[3])
                while i < n {
                    let d = y[i] - fm
                    c += d * x[i]
                    v += d * d
                    i += 1
                }
                return (c, v)
            }
        }
        cov /= Double(r.count)
        variance /= Double(r.count)
        return variance < 1e-30 ? .nan : cov / variance
    }

    /// Jensen's alpha, annualised by compounding the mean residual: (1 + mean(r − β·f))^periodsPerYear − 1.
    public static func alpha(
        _ r: [Double], benchmark f: [Double], periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) -> Double {
        guard r.count == f.count else { throw .lengthMismatch(what: "benchmark returns", expected: r.count, actual: f.count) }
        guard r.count >= 2 else { return .nan }
        // mean(r − β·f) = mean(r) − β·mean(f).
        let sr = r.withUnsafeBufferPointer(Statistics.sum)
        let sf = f.withUnsafeBufferPointer(Statistics.sum)
        let n = Double(r.count)
        let b = beta(r, benchmark: f, benchmarkMean: sf / n)
        return Math.pow(sr / n - b * (sf / n) + 1, periodsPerYear) - 1
    }

    /// Information ratio (empyrical's `excess_sharpe`): mean(r − f) / std(r − f, ddof = 1), not annualised.
    public static func informationRatio(_ r: [Double], benchmark f: [Double]) throws(QuantError) -> Double {
        guard r.count == f.count else { throw .lengthMismatch(what: "benchmark returns", expected: r.count, actual: f.count) }
        guard r.count >= 2 else { return .nan }
        return r.withUnsafeBufferPointer { x in
            f.withUnsafeBufferPointer { y in
                // One pass over the active returns shifted by the first one (which keeps the
                // sums small, so the shifted second moment loses no accuracy to cancellation).
                let n = x.count
                let first = x[0] - y[0]
                var s4 = SIMD4<Double>.zero
                var q4 = SIMD4<Double>.zero
                var same = SIMDMask<SIMD4<Int64>>(repeating: true)
                var i = 0
                while i + 4 <= n {
                    let a = Statistics.load4(x, i) - Statistics.load4(y, i)
                    let d = a - first
                    s4 += d
                    q4 += d * d
                    same = same .& (a .== first)
                    i += 4
                }
                var sum = (s4[0] + s4[1]) + (s4[2] + s4[3])
                var squares = (q4[0] + q4[1]) + (q4[2] + q4[3])
                var constant = all(same)
                while i < n {
                    let a = x[i] - y[i]
                    let d = a - first
                    sum += d
                    squares += d * d
                    constant = constant && a == first
                    i += 1
                }
                let shift = sum / Double(n)
                let mean = first + shift
                let ss = max(squares - sum * shift, 0)
                // Zero dispersion when every active return is equal (empyrical's rule).
                let sd = constant ? 0 : (ss / Double(n - 1)).squareRoot()
                return mean / sd
            }
        }
    }

    /// Returns of two price series aligned by timestamp (inner join on the time of each return's
    /// later bar); each return is computed on its own series' consecutive rows.
    public static func alignedReturns(
        _ series: (timestamps: [Int64], prices: [Double]),
        benchmark: (timestamps: [Int64], prices: [Double])
    ) throws(QuantError) -> (returns: [Double], benchmark: [Double], timestamps: [Int64]) {
        let r = try simpleReturns(series.prices)
        let b = try simpleReturns(benchmark.prices)
        guard series.timestamps.count == series.prices.count else {
            throw .lengthMismatch(what: "timestamps", expected: series.prices.count, actual: series.timestamps.count)
        }
        guard benchmark.timestamps.count == benchmark.prices.count else {
            throw .lengthMismatch(what: "benchmark timestamps", expected: benchmark.prices.count, actual: benchmark.timestamps.count)
        }
        var byTime: [Int64: Double] = [:]
        byTime.reserveCapacity(b.count)
        for i in b.indices { byTime[benchmark.timestamps[i + 1]] = b[i] }
        var outR: [Double] = []
        var outB: [Double] = []
        var outT: [Int64] = []
        for i in r.indices {
            let t = series.timestamps[i + 1]
            if let v = byTime[t] {
                outR.append(r[i])
                outB.append(v)
                outT.append(t)
            }
        }
        return (outR, outB, outT)
    }
}
