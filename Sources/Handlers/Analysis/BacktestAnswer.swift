import Foundation
import Models
import TMFcgi

/// `POST /api/v1/analysis/backtest`'s answer: with 200 the whole result, with 202 only the
/// queued run.
struct BacktestAnswer: ResponseEncodable, Codable {
    /// The stored run.
    var runId: Int64
    /// The run (its summary and metrics inside once finished).
    var run: Run
    /// The empyrical and TradeMaster metric sets of the equity.
    var metrics: MetricSet?
    /// Trade statistics.
    var tradeStatistics: PerformanceAnswer.TradeStatisticsSet?
    /// The trades in entry order.
    var trades: [RunTrade]?
    /// The equity curve, at most 1,000 evenly spaced points.
    var equity: [EquityPoint]?
}
