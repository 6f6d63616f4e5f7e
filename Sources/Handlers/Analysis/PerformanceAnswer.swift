import Foundation
import Quant

/// `GET /api/v1/analysis/performance`: the metric sets, trade statistics and period returns.
struct PerformanceAnswer: Codable {
    /// What was analysed.
    var source: AnalysisSource
    /// The first and last bar of the curve.
    var start: Date?
    var end: Date?
    /// The empyrical set (with TradeMaster's figures inside).
    var metrics: MetricSet
    /// Trade statistics, for a run.
    var tradeStatistics: TradeStatisticsSet?
    /// Compounded return per calendar month.
    var monthlyReturns: [Month]
    /// Compounded return per calendar year.
    var yearlyReturns: [Year]

    /// One month's return.
    struct Month: Codable {
        var year: Int
        var month: Int
        var value: Double?
    }

    /// One year's return.
    struct Year: Codable {
        var year: Int
        var value: Double?
    }

    /// Trade statistics (P&L in account currency, returns as fractions).
    struct TradeStatisticsSet: Codable {
        var count: Int
        var wins: Int
        var losses: Int
        var openTrades: Int
        var winRate: Double?
        var profitFactor: Double?
        var averageWin: Double?
        var averageLoss: Double?
        var averageWinReturn: Double?
        var averageLossReturn: Double?
        var expectancy: Double?
        var expectancyReturn: Double?
        var averageBarsHeld: Double?
        var exposure: Double?
        var longestWinStreak: Int
        var longestLossStreak: Int

        init(_ s: TradeStatistics) {
            let f = MetricSet.finite
            count = s.count
            wins = s.wins
            losses = s.losses
            openTrades = s.openTrades
            winRate = f(s.winRate)
            profitFactor = f(s.profitFactor)
            averageWin = f(s.averageWin)
            averageLoss = f(s.averageLoss)
            averageWinReturn = f(s.averageWinReturn)
            averageLossReturn = f(s.averageLossReturn)
            expectancy = f(s.expectancy)
            expectancyReturn = f(s.expectancyReturn)
            averageBarsHeld = f(s.averageBarsHeld)
            exposure = f(s.exposure)
            longestWinStreak = s.longestWinStreak
            longestLossStreak = s.longestLossStreak
        }
    }

    /// The answer for `report` of the curve at `timestamps`.
    init(source: AnalysisSource, report: PerformanceReport, timestamps: [Int64]) {
        self.source = source
        start = MetricSet.date(0, timestamps)
        end = MetricSet.date(timestamps.count - 1, timestamps)
        metrics = MetricSet(report.metrics, timestamps: timestamps)
        tradeStatistics = report.trades.map(TradeStatisticsSet.init)
        monthlyReturns = report.periods.monthly.map { Month(year: $0.year, month: $0.month, value: MetricSet.finite($0.value)) }
        yearlyReturns = report.periods.yearly.map { Year(year: $0.year, value: MetricSet.finite($0.value)) }
    }
}
