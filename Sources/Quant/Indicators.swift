/// Technical indicators over contiguous arrays.
///
/// Warm-up convention: every function returns an array of the input's length, holding
/// `Double.nan` where its window is not yet full (the first `window − 1` values for rolling
/// means and deviations; see each function for the ones that need more). Inputs must be
/// finite: a NaN or infinity throws `QuantError.nonFinite`.
public enum Indicators {
    /// Simple moving average over `window` values.
    public static func sma(_ x: [Double], window: Int) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window)
        try Validation.requireFinite(x, name: "values")
        return smaUnchecked(x, window: window)
    }

    /// `sma` without argument checks, for callers that validated already.
    static func smaUnchecked(_ x: [Double], window: Int) -> [Double] {
        let n = x.count
        var out = [Double](repeating: .nan, count: n)
        guard n >= window else { return out }
        x.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                // Kahan-compensated running sum (as pandas' rolling mean).
                var sum = 0.0
                var comp = 0.0
                let w = Double(window)
                for i in 0..<window { Statistics.compensatedAdd(p[i], to: &sum, &comp) }
                o[window - 1] = sum / w
                var i = window
                while i < n {
                    Statistics.compensatedAdd(p[i], to: &sum, &comp)
                    Statistics.compensatedAdd(-p[i - window], to: &sum, &comp)
                    o[i] = sum / w
                    i += 1
                }
            }
        }
        return out
    }

    /// Exponential moving average with α = 2/(window + 1), seeded with the simple average of
    /// the first `window` values (the TA-Lib convention); NaN for the first `window − 1`.
    public static func ema(_ x: [Double], window: Int) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window)
        try Validation.requireFinite(x, name: "values")
        return smoothed(x, from: 0, window: window, alpha: 2 / (Double(window) + 1))
    }

    /// Exponential smoothing of `x[first...]` seeded with the mean of its first `window` values.
    static func smoothed(_ x: [Double], from first: Int, window: Int, alpha: Double) -> [Double] {
        let n = x.count
        var out = [Double](repeating: .nan, count: n)
        let seedAt = first + window - 1
        guard seedAt < n else { return out }
        var seed = 0.0
        for i in first...seedAt { seed += x[i] }
        var y = seed / Double(window)
        out[seedAt] = y
        let keep = 1 - alpha
        var i = seedAt + 1
        while i < n {
            y = keep * y + alpha * x[i]
            out[i] = y
            i += 1
        }
        return out
    }

    /// Rolling standard deviation over `window` values with `ddof` (1 by default, as pandas).
    public static func rollingStandardDeviation(_ x: [Double], window: Int, ddof: Int = 1) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window, minimum: ddof + 1)
        try Validation.requireFinite(x, name: "values")
        var out = [Double](repeating: .nan, count: x.count)
        guard x.count >= window else { return out }
        x.withUnsafeBufferPointer { p in
            for end in window...p.count {
                out[end - 1] = Statistics.standardDeviation(UnsafeBufferPointer(rebasing: p[(end - window)..<end]), ddof: ddof)
            }
        }
        return out
    }

    /// Rolling z-score: (x − SMA) / rolling std (ddof = 1); NaN during warm-up and where the
    /// window is constant (zero deviation).
    public static func zScore(_ x: [Double], window: Int) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window, minimum: 2)
        let mean = try sma(x, window: window)
        let sd = try rollingStandardDeviation(x, window: window)
        return x.indices.map { sd[$0] > 0 ? (x[$0] - mean[$0]) / sd[$0] : .nan }
    }

    /// Rate of change as a fraction: x[t]/x[t − period] − 1; NaN for the first `period`.
    public static func rateOfChange(_ x: [Double], period: Int) throws(QuantError) -> [Double] {
        try Validation.requireWindow(period, name: "period")
        try Validation.requireFinite(x, name: "values")
        var out = [Double](repeating: .nan, count: x.count)
        var i = period
        while i < x.count {
            out[i] = x[i] / x[i - period] - 1
            i += 1
        }
        return out
    }
}
