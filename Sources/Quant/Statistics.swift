/// Numeric kernels shared by the metrics (numpy's conventions).
enum Statistics {
    /// Sequential sum.
    @inline(__always)
    static func sum(_ x: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for v in x { s += v }
        return s
    }

    /// Arithmetic mean; NaN when empty.
    static func mean(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { x.isEmpty ? .nan : sum($0) / Double($0.count) }
    }

    /// Standard deviation with `ddof` (two-pass); NaN when count ≤ ddof.
    static func standardDeviation(_ x: [Double], ddof: Int = 1) -> Double {
        x.withUnsafeBufferPointer { standardDeviation($0, ddof: ddof) }
    }

    /// Standard deviation of a buffer with `ddof` (two-pass).
    static func standardDeviation(_ x: UnsafeBufferPointer<Double>, ddof: Int) -> Double {
        let n = x.count
        guard n > ddof else { return .nan }
        let m = sum(x) / Double(n)
        var ss = 0.0
        for v in x {
            let d = v - m
            ss += d * d
        }
        return (ss / Double(n - ddof)).squareRoot()
    }

    /// `standardDeviation` that is exactly 0 when all values are equal (empyrical's rule, which
    /// avoids dividing by a rounding residue).
    static func dispersion(_ x: [Double], ddof: Int = 1) -> Double {
        let s = standardDeviation(x, ddof: ddof)
        guard s.isFinite, let lo = x.min(), let hi = x.max(), lo == hi else { return s }
        return 0
    }

    /// numpy's `percentile(x, p)` with linear interpolation, `p` in 0...100; NaN when empty.
    static func percentile(_ x: [Double], _ p: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        var copy = x
        return copy.withUnsafeMutableBufferPointer { Selection.percentile($0, p) }
    }

    /// Population skewness and excess kurtosis (scipy's defaults, bias = True).
    static func moments(_ x: [Double]) -> (skewness: Double, kurtosis: Double) {
        let n = Double(x.count)
        let m = mean(x)
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for v in x {
            let d = v - m
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        m2 /= n
        m3 /= n
        m4 /= n
        return (m3 / (m2 * m2.squareRoot()), m4 / (m2 * m2) - 3)
    }
}
