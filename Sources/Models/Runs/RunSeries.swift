/// A run's account after each bar, column-wise.
public struct RunSeries: Sendable, Equatable {
    /// Bar times, epoch seconds.
    public var times: [Int64]
    /// Cash plus the position at the close.
    public var equity: [Double]
    /// Cash after the bar's fills.
    public var cash: [Double]
    /// Shares held (negative when short).
    public var position: [Int64]

    /// A series from its columns (of equal length).
    public init(times: [Int64], equity: [Double], cash: [Double], position: [Int64]) {
        self.times = times
        self.equity = equity
        self.cash = cash
        self.position = position
    }

    /// Fall from the running peak after each bar, as a fraction (≤ 0).
    public var drawdown: [Double] {
        var peak = -Double.infinity
        return equity.map { value in
            peak = max(peak, value)
            return peak > 0 ? value / peak - 1 : 0
        }
    }
}
