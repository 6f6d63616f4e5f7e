extension Risk {
    /// Sample skewness, population moments (scipy's `skew`, bias = True); NaN below two returns.
    public static func skewness(_ r: [Double]) -> Double {
        r.count < 2 ? .nan : Statistics.moments(r).skewness
    }

    /// Excess kurtosis, population moments (scipy's `kurtosis`, Fisher, bias = True); NaN below two returns.
    public static func kurtosis(_ r: [Double]) -> Double {
        r.count < 2 ? .nan : Statistics.moments(r).kurtosis
    }

    /// Sharpe ratio over a rolling window (mean / std(ddof = 1) · √periodsPerYear), same length
    /// as `r`, NaN for the first window − 1 and where the window's returns are constant.
    public static func rollingSharpe(
        _ r: [Double], window: Int, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) throws(QuantError) -> [Double] {
        let scale = periodsPerYear.squareRoot()
        return try rolling(r, window: window) { slice in
            let sd = Statistics.standardDeviation(slice, ddof: 1)
            return sd > 0 ? Statistics.sum(slice) / Double(slice.count) / sd * scale : .nan
        }
    }
}
