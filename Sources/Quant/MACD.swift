/// MACD line, signal line and histogram.
public struct MACD: Sendable, Equatable {
    /// EMA(fast) − EMA(slow); NaN for the first `slow − 1` bars.
    public var macd: [Double]
    /// EMA(signal) of the MACD line; NaN for the first `slow + signal − 2` bars.
    public var signal: [Double]
    /// MACD − signal.
    public var histogram: [Double]
}
