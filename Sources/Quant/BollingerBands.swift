/// Bollinger bands: SMA ± k population standard deviations (ddof = 0, Bollinger's and TA-Lib's).
public struct BollingerBands: Sendable, Equatable {
    /// The SMA.
    public var middle: [Double]
    /// middle + k·σ.
    public var upper: [Double]
    /// middle − k·σ.
    public var lower: [Double]
}
