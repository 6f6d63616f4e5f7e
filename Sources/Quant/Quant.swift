/// Pure analytics: CSV reading, indicators, strategies, backtests, performance and risk metrics.
///
/// Everything in this module works on contiguous `[Double]` arrays and throws typed errors on
/// bad input; nothing here does I/O. Warm-up convention of every rolling computation: the
/// output has the input's length and holds `Double.nan` where the window is not yet full.
public enum Quant {
    /// Periods per year used for annualisation unless a caller says otherwise (daily bars).
    public static let tradingDaysPerYear = 252.0
}
