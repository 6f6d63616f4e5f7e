/// TradeMaster's price features of a series, per row (computed per symbol for long-format data).
///
/// zopen = open/close − 1, zhigh = high/close − 1, zlow = low/close − 1, zadjcp = adjcp/close − 1,
/// zclose = close/previous close − 1 (NaN on a symbol's first row), and
/// zd_k = mean(close over the last k rows)/close − 1 for k in 5, 10, …, 30 (NaN for the first k − 1).
public struct TradeMasterFeatures: Sendable, Equatable {
    /// The rolling-mean windows of the zd_k features.
    public static let windows = [5, 10, 15, 20, 25, 30]

    /// open/close − 1.
    public var zopen: [Double]
    /// high/close − 1.
    public var zhigh: [Double]
    /// low/close − 1.
    public var zlow: [Double]
    /// adjcp/close − 1, when the series has an adjusted close.
    public var zadjcp: [Double]?
    /// close/close₋₁ − 1.
    public var zclose: [Double]
    /// zd_k keyed by k.
    public var zd: [Int: [Double]]

    /// Computes the features of `series` in its row order.
    public init(series: OHLCVSeries) {
        let n = series.count
        zopen = (0..<n).map { series.open[$0] / series.close[$0] - 1 }
        zhigh = (0..<n).map { series.high[$0] / series.close[$0] - 1 }
        zlow = (0..<n).map { series.low[$0] / series.close[$0] - 1 }
        zadjcp = series.adjustedClose.map { a in (0..<n).map { a[$0] / series.close[$0] - 1 } }
        zclose = [Double](repeating: .nan, count: n)
        zd = Dictionary(uniqueKeysWithValues: Self.windows.map { ($0, [Double](repeating: .nan, count: n)) })
        // Group rows per symbol, keeping file order inside each group.
        var groups: [String: [Int]] = [:]
        if let symbols = series.symbols {
            for (i, s) in symbols.enumerated() { groups[s, default: []].append(i) }
        } else {
            groups[""] = Array(0..<n)
        }
        for rows in groups.values {
            let close = rows.map { series.close[$0] }
            for k in rows.indices.dropFirst() { zclose[rows[k]] = close[k] / close[k - 1] - 1 }
            for w in Self.windows {
                let mean = Indicators.smaUnchecked(close, window: w)
                for k in rows.indices where !mean[k].isNaN {
                    zd[w]?[rows[k]] = mean[k] / close[k] - 1
                }
            }
        }
    }
}
