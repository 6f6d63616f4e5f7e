/// Pearson correlation of several return series, aligned by time.
public enum Correlation {
    /// The returns of each curve (`values` at `timestamps`), kept only at the times every curve
    /// has a return (each return computed on its own curve's consecutive rows, dated by its
    /// later bar), and their correlation matrix. NaN where a series is constant.
    public static func matrix(
        _ curves: [(timestamps: [Int64], values: [Double])]
    ) throws(QuantError) -> (matrix: [[Double]], alignedCount: Int) {
        var returns: [[Int64: Double]] = []
        for c in curves {
            guard c.timestamps.count == c.values.count else {
                throw .lengthMismatch(what: "timestamps", expected: c.values.count, actual: c.timestamps.count)
            }
            let r = try Metrics.simpleReturns(c.values)
            var byTime: [Int64: Double] = [:]
            for i in r.indices { byTime[c.timestamps[i + 1]] = r[i] }
            returns.append(byTime)
        }
        let times = (curves.first?.timestamps.dropFirst() ?? []).filter { t in returns.allSatisfy { $0[t] != nil } }
        let columns = returns.map { byTime in times.map { byTime[$0] ?? .nan } }
        let k = columns.count
        var m = [[Double]](repeating: [Double](repeating: .nan, count: k), count: k)
        for a in 0..<k {
            for b in a..<k {
                let v = pearson(columns[a], columns[b])
                m[a][b] = v
                m[b][a] = v
            }
        }
        return (m, times.count)
    }

    /// Pearson's r of two equal-length samples; NaN below two values or for a constant sample.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return .nan }
        let mx = Statistics.mean(x)
        let my = Statistics.mean(y)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx
            let dy = y[i] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return min(max(sxy / (sxx * syy).squareRoot(), -1), 1)
    }
}
