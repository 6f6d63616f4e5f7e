/// What `GET /analysis/performance` answers: the empyrical and TradeMaster metric sets of a
/// curve, its trade statistics when it is a backtest's, and its monthly and yearly returns.
public struct PerformanceReport: Sendable, Equatable {
    /// Every metric of the curve (empyrical's conventions; TradeMaster's figures inside).
    public var metrics: PerformanceMetrics
    /// Trade statistics, for a backtest's curve.
    public var trades: TradeStatistics?
    /// Monthly and yearly returns.
    public var periods: PeriodReturns

    /// The report of the curve `values` at `timestamps`, optionally against a benchmark price curve.
    public init(
        timestamps: [Int64], values: [Double], benchmark: (timestamps: [Int64], prices: [Double])? = nil,
        trades: TradeStatistics? = nil, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) {
        metrics = try PerformanceMetrics(timestamps: timestamps, values: values, benchmark: benchmark, periodsPerYear: periodsPerYear)
        self.trades = trades
        periods = try PeriodReturns(timestamps: timestamps, values: values)
    }
}
