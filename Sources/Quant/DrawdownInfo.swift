/// The largest drawdown of a wealth curve and when it happened.
///
/// Indices refer to the wealth curve, whose index 0 is the starting point (wealth 1) and index
/// i is the wealth after return i − 1, so they are row indices of the price or equity series.
public struct DrawdownInfo: Sendable, Equatable {
    /// The drawdown, a negative fraction (0 when the curve never fell).
    public var maxDrawdown: Double
    /// The last row at the running peak before the trough.
    public var peak: Int
    /// The row of the lowest point.
    public var trough: Int
    /// The first row after the trough back at the peak, or nil when not recovered.
    public var recovery: Int?
    /// Rows from peak to recovery (or to the last row if not recovered).
    public var duration: Int

    /// The worst drawdown of the wealth curve of `returns`; nil when there are no returns.
    public init?(returns r: [Double]) {
        guard !r.isEmpty else { return nil }
        self = r.withUnsafeBufferPointer { Self.scan($0).info }
    }

    private init(maxDrawdown: Double, peak: Int, trough: Int, recovery: Int?, duration: Int) {
        self.maxDrawdown = maxDrawdown
        self.peak = peak
        self.trough = trough
        self.recovery = recovery
        self.duration = duration
    }

    /// The worst drawdown of the (non-empty) returns `x` and the final wealth ∏(1 + r) (one
    /// running product, in order): `PerformanceMetrics` takes its maximum drawdown and final
    /// wealth from here instead of passing over the returns again.
    static func scan(_ x: UnsafeBufferPointer<Double>) -> (info: DrawdownInfo, wealth: Double) {
        // One pass, no arrays: wealth w_i = w_{i−1}·(1 + r_{i−1}) from w_0 = 1, its drawdown
        // u_i = w_i / running peak − 1; the trough is the first lowest u, its peak the last
        // u = 0 before it, its recovery the first u = 0 after it.
        var wealth = 1.0
        var peakValue = 1.0
        var trough = 0
        var troughUnder = 0.0
        var lastAtPeak = 0
        var peak = 0
        var recovery: Int? = 0
        // The division is skipped where it cannot matter: u is below the trough's only if the
        // quotient w / peak is below the trough's quotient q, so a finite wealth at or above
        // `bound` (≥ q · peak, rounded up) is no new trough, and u = 0 there exactly when w = peak
        // (below the peak, w / peak rounds below 1). Under the trough's own peak the bound is the
        // trough's wealth itself (w / peak − 1 is monotone in w for a positive peak): a flat
        // stretch at the trough, common when a strategy is out of the market after a loss, skips.
        // The rows that divide get the same numbers.
        @inline(__always) func bound(_ q: Double, _ peak: Double) -> Double {
            let b = q * peak
            return b >= 0x1p-1000 ? b * (1 + 0x1p-51) : .infinity
        }
        var troughQuotient = 1.0
        var skipAbove = bound(troughQuotient, peakValue)
        for i in 1...x.count {
            wealth *= 1 + x[i - 1]
            if wealth > peakValue {
                peakValue = wealth
                skipAbove = bound(troughQuotient, peakValue)
            }
            if wealth >= skipAbove && wealth <= .greatestFiniteMagnitude {
                if wealth == peakValue {
                    lastAtPeak = i
                    if recovery == nil { recovery = i }
                }
                continue
            }
            let quotient = wealth / peakValue
            let under = quotient - 1
            if under < troughUnder {
                trough = i
                troughUnder = under
                peak = lastAtPeak
                recovery = nil
                troughQuotient = quotient
                skipAbove = peakValue > 0 ? wealth : bound(quotient, peakValue)
            } else if under == 0 {
                lastAtPeak = i
                if recovery == nil { recovery = i }
            }
        }
        let info = DrawdownInfo(
            maxDrawdown: troughUnder, peak: peak, trough: trough, recovery: recovery, duration: (recovery ?? x.count) - peak)
        return (info, wealth)
    }
}
