/// The figures TradeMaster's `evaluate()` reports, computed its way, so users can compare.
///
/// With A the total-asset (equity) series and r_t = A_{t+1}/A_t − 1, numpy std with ddof = 0:
/// total return = A_T/A_0 − 1; Sharpe = mean(r)·√252/std(r); volatility = std(r), not
/// annualised; max drawdown = max((running peak − A)/running peak), positive; Calmar = Σr / MDD;
/// Sortino = Σr / std(r where r < 0) / √N. Note these differ from the empyrical-style figures
/// of `PerformanceMetrics` (ddof, annualisation, sign of the drawdown).
public struct TradeMasterMetrics: Sendable, Equatable {
    /// A_T/A_0 − 1.
    public var totalReturn: Double
    /// mean(r)·√252/std(r), ddof = 0.
    public var sharpe: Double
    /// std(r), ddof = 0, per period.
    public var volatility: Double
    /// The largest fall from a running peak, as a positive fraction.
    public var maxDrawdown: Double
    /// Σr / max drawdown.
    public var calmar: Double
    /// Σr / std(negative r) / √N.
    public var sortino: Double

    /// Computes the figures of an asset series (at least one value; all finite).
    public init(assets a: [Double]) throws(QuantError) {
        try Validation.requireFinite(a, name: "assets")
        guard let first = a.first, let last = a.last else {
            throw .insufficientData(what: "assets", required: 1, actual: 0)
        }
        let r = try Metrics.simpleReturns(a)
        let sd = Statistics.standardDeviation(r, ddof: 0)
        let negatives = r.filter { $0 < 0 }
        var peak = -Double.infinity
        var mdd = -Double.infinity
        for v in a {
            peak = max(peak, v)
            mdd = max(mdd, (peak - v) / peak)
        }
        let total = r.reduce(0, +)
        totalReturn = last / first - 1
        sharpe = Statistics.mean(r) * (252.0).squareRoot() / sd
        volatility = sd
        maxDrawdown = mdd
        calmar = total / mdd
        sortino = total / Statistics.standardDeviation(negatives, ddof: 0) / Double(r.count).squareRoot()
    }
}
