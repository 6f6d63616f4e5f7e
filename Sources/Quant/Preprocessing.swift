/// Cleaning and reshaping transforms applied before analysis or training.
public enum Preprocessing {
    /// Replaces each NaN with the last non-NaN value before it; leading NaNs (nothing to carry)
    /// stay NaN. Infinities are not missing values and throw.
    public static func forwardFill(_ x: [Double]) throws(QuantError) -> [Double] {
        var out = x
        var last = Double.nan
        for i in out.indices {
            if out[i].isNaN {
                out[i] = last
            } else if out[i].isInfinite {
                throw .nonFinite(what: "values", index: i)
            } else {
                last = out[i]
            }
        }
        return out
    }

    /// Whether each value lies more than `zThreshold` sample standard deviations (ddof = 1)
    /// from the mean of all values. A constant series has no outliers.
    public static func outlierMask(_ x: [Double], zThreshold: Double) throws(QuantError) -> [Bool] {
        try checkThreshold(zThreshold)
        try Validation.requireFinite(x, name: "values")
        let m = Statistics.mean(x)
        let sd = Statistics.dispersion(x)
        guard sd > 0 else { return [Bool](repeating: false, count: x.count) }
        return x.map { abs($0 - m) / sd > zThreshold }
    }

    /// Values clipped to mean ± zThreshold·std (ddof = 1).
    public static func clipOutliers(_ x: [Double], zThreshold: Double) throws(QuantError) -> [Double] {
        try checkThreshold(zThreshold)
        try Validation.requireFinite(x, name: "values")
        let m = Statistics.mean(x)
        let sd = Statistics.dispersion(x)
        guard sd > 0 else { return x }
        let lo = m - zThreshold * sd
        let hi = m + zThreshold * sd
        return x.map { min(max($0, lo), hi) }
    }

    /// The series without the bars whose close-to-close return is an outlier (z-score of the
    /// returns above `zThreshold`). The first bar has no return and is kept.
    public static func dropOutliers(_ series: OHLCVSeries, zThreshold: Double) throws(QuantError) -> OHLCVSeries {
        let r = try Metrics.simpleReturns(series.close)
        let mask = try outlierMask(r, zThreshold: zThreshold)
        let keep = series.close.indices.filter { $0 == 0 || !mask[$0 - 1] }
        return series.rows(keep)
    }

    /// Aggregates bars into buckets of `seconds` aligned on the Unix epoch (so daily buckets start
    /// at UTC midnight): first open, highest high, lowest low, last close, summed volume, last
    /// adjusted close; each bar is stamped with its bucket's start. Single-symbol series only.
    public static func resample(_ s: OHLCVSeries, seconds: Int64) throws(QuantError) -> OHLCVSeries {
        guard seconds > 0 else { throw .invalidArgument(name: "seconds", reason: "must be positive, got \(seconds)") }
        guard s.distinctSymbols.count <= 1 else {
            throw .invalidArgument(name: "series", reason: "holds several symbols; resample one symbol at a time")
        }
        var t: [Int64] = []
        var o: [Double] = []
        var h: [Double] = []
        var l: [Double] = []
        var c: [Double] = []
        var v: [Double] = []
        var a: [Double] = []
        for i in 0..<s.count {
            let ts = s.timestamps[i]
            var bucket = ts / seconds * seconds
            if ts < 0, ts % seconds != 0 { bucket -= seconds }
            if let last = t.last, last == bucket {
                let k = t.count - 1
                h[k] = max(h[k], s.high[i])
                l[k] = min(l[k], s.low[i])
                c[k] = s.close[i]
                v[k] += s.volume[i]
                if let adj = s.adjustedClose { a[k] = adj[i] }
            } else {
                t.append(bucket)
                o.append(s.open[i])
                h.append(s.high[i])
                l.append(s.low[i])
                c.append(s.close[i])
                v.append(s.volume[i])
                if let adj = s.adjustedClose { a.append(adj[i]) }
            }
        }
        return OHLCVSeries(
            unchecked: t, open: o, high: h, low: l, close: c, volume: v,
            adjustedClose: s.adjustedClose == nil ? nil : a,
            symbols: s.symbols == nil ? nil : [String](repeating: s.symbols?.first ?? "", count: t.count))
    }

    private static func checkThreshold(_ z: Double) throws(QuantError) {
        guard z.isFinite, z > 0 else { throw .invalidArgument(name: "zThreshold", reason: "must be positive, got \(z)") }
    }
}
