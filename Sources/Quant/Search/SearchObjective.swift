/// What a parameter search maximises, read from the metrics of a backtest.
public enum SearchObjective: String, Sendable, CaseIterable, Codable {
    /// Annualised Sharpe ratio.
    case sharpe
    /// Annualised Sortino ratio.
    case sortino
    /// Calmar ratio.
    case calmar
    /// Cumulative return over the part (a fraction).
    case totalReturn = "total_return"

    /// The objective's value in `metrics` (NaN when undefined, e.g. no trades).
    public func score(_ metrics: PerformanceMetrics) -> Double {
        switch self {
        case .sharpe: return metrics.sharpe
        case .sortino: return metrics.sortino
        case .calmar: return metrics.calmar
        case .totalReturn: return metrics.cumulativeReturn
        }
    }

    /// Whether `a` beats `b`: larger wins; any number beats NaN; a tie keeps `b` (the
    /// earlier trial), so the choice does not depend on the order trials finish in.
    public static func better(_ a: Double, than b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a > b
    }
}
