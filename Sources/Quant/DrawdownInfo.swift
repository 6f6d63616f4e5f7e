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
        var wealth = [Double](repeating: 1, count: r.count + 1)
        for i in r.indices { wealth[i + 1] = wealth[i] * (1 + r[i]) }
        var peakValue = -Double.infinity
        var under = [Double](repeating: 0, count: wealth.count)
        var trough = 0
        for i in wealth.indices {
            if wealth[i] > peakValue { peakValue = wealth[i] }
            under[i] = wealth[i] / peakValue - 1
            if under[i] < under[trough] { trough = i }
        }
        var peak = 0
        for i in stride(from: trough - 1, through: 0, by: -1) where under[i] == 0 {
            peak = i
            break
        }
        let recovery = (trough..<wealth.count).first { under[$0] == 0 }
        self.maxDrawdown = under[trough]
        self.peak = peak
        self.trough = trough
        self.recovery = recovery
        self.duration = (recovery ?? (wealth.count - 1)) - peak
    }
}
