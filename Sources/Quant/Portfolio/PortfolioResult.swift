/// Everything a portfolio backtest produces.
public struct PortfolioResult: Sendable, Equatable {
    /// One rebalance: decided on bar `bar − 1`'s close, filled at bar `bar`'s open.
    public struct Rebalance: Sendable, Equatable {
        /// The bar whose open filled it.
        public var bar: Int
        /// That bar's time.
        public var time: Int64
        /// The target weights, in `symbols` order.
        public var weights: [Double]
        /// Σ |traded value| over the symbols.
        public var tradedValue: Double
        /// Commission and slippage paid.
        public var cost: Double
        /// Shares held after the fill, in `symbols` order (fractional).
        public var shares: [Double] = []
        /// The fill prices (bar `bar`'s opens), in `symbols` order.
        public var prices: [Double] = []
    }

    /// The strategy that ran.
    public var strategy: PortfolioStrategy
    /// The rules it ran under.
    public var configuration: BacktestConfiguration
    /// The symbols, in weight order.
    public var symbols: [String]
    /// Bar times (the symbols' common times).
    public var timestamps: [Int64]
    /// Cash after each bar's fills (negative for a margin loan).
    public var cash: [Double]
    /// Cash plus the holdings marked at each bar's close.
    public var equity: [Double]
    /// Σ |holding value| / equity after each bar's close.
    public var grossExposure: [Double]
    /// Every rebalance, in order.
    public var rebalances: [Rebalance]
    /// Shares held after the last bar, in `symbols` order (fractional).
    public var finalShares: [Double]
    /// Performance metrics of the equity curve.
    public var metrics: PerformanceMetrics
    /// The last bar's closes, in `symbols` order (what the final shares are marked at).
    public var lastCloses: [Double] = []

    /// Total commission and slippage paid.
    public var totalCost: Double { rebalances.reduce(0) { $0 + $1.cost } }
    /// Σ traded value / mean equity.
    public var turnover: Double {
        let mean = equity.isEmpty ? 0 : equity.reduce(0, +) / Double(equity.count)
        return mean > 0 ? rebalances.reduce(0) { $0 + $1.tradedValue } / mean : .nan
    }
}
