/// Numeric kernels shared by the metrics (numpy's conventions).
enum Statistics {
    /// Σ f(x) over the longest prefix whose length is a multiple of four, in four scalar lanes
    /// (lane k takes x[i + k]; four accumulators break the add latency chain), and where the
    /// tail starts.
    @inline(__always)
    static func fourLanes(_ x: UnsafeBufferPointer<Double>, _ f: (Double) -> Double) -> (Double, Double, Double, Double, tail: Int) {
        var s0 = 0.0
        var s1 = 0.0
        var s2 = 0.0
        var s3 = 0.0
        var i = 0
        while i + 4 <= x.count {
            s0 += f(x[i])
            s1 += f(x[i + 1])
            s2 += f(x[i + 2])
            s3 += f(x[i + 3])
            i += 4
        }
        return (s0, s1, s2, s3, i)
    }

    /// Sum: the lanes first, then the tail in order (the order differs from numpy's pairwise
    /// sum by rounding only, about 1e-16 relative). The same sum as the metrics' SIMD4 passes
    /// (`Metrics.returnSums`), so a mean taken here equals one taken there bit for bit.
    @inline(__always)
    static func sum(_ x: UnsafeBufferPointer<Double>) -> Double {
        let (s0, s1, s2, s3, tail) = fourLanes(x) { $0 }
        var s = (s0 + s1) + (s2 + s3)
        for i in tail..<x.count { s += x[i] }
        return s
    }

    /// Adds `v` to a Kahan-compensated running sum (as pandas' rolling mean does).
    @inline(__always)
    static func compensatedAdd(_ v: Double, to sum: inout Double, _ compensation: inout Double) {
        let y = v - compensation
        let t = sum + y
        compensation = (t - sum) - y
        sum = t
    }

    /// Four consecutive values from `i` as a vector (unaligned load).
    @inline(__always)
    static func load4(_ x: UnsafeBufferPointer<Double>, _ i: Int) -> SIMD4<Double> {
        SIMD4(x[i], x[i + 1], x[i + 2], x[i + 3])
    }

    /// Σ (x − m)² in four lanes; the tail joins the first lane.
    static func squaredDeviations(_ x: UnsafeBufferPointer<Double>, mean m: Double) -> Double {
        let lanes = fourLanes(x) { ($0 - m) * ($0 - m) }
        var s0 = lanes.0
        for i in lanes.tail..<x.count { s0 += (x[i] - m) * (x[i] - m) }
        return (s0 + lanes.1) + (lanes.2 + lanes.3)
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
        return (squaredDeviations(x, mean: m) / Double(n - ddof)).squareRoot()
    }

    /// `standardDeviation` that is exactly 0 when all values are equal (empyrical's rule, which
    /// avoids dividing by a rounding residue).
    static func dispersion(_ x: [Double], ddof: Int = 1) -> Double {
        let s = standardDeviation(x, ddof: ddof)
        guard s.isFinite, s > 0, s < 1e-12 else { return s }
        // Only a tiny deviation can be a rounding residue of identical values.
        guard let first = x.first, x.allSatisfy({ $0 == first }) else { return s }
        return 0
    }

    /// The mean and `dispersion` (ddof = 1) with one sum; NaN dispersion below two values.
    static func meanAndDispersion(_ x: [Double]) -> (mean: Double, dispersion: Double) {
        x.withUnsafeBufferPointer { p in
            let n = p.count
            guard n > 0 else { return (.nan, .nan) }
            let m = sum(p) / Double(n)
            guard n > 1 else { return (m, .nan) }
            let s = (squaredDeviations(p, mean: m) / Double(n - 1)).squareRoot()
            guard s.isFinite, s > 0, s < 1e-12 else { return (m, s) }
            guard let first = p.first, p.allSatisfy({ $0 == first }) else { return (m, s) }
            return (m, 0)
        }
    }

    /// numpy's `percentile(x, p)` with linear interpolation, `p` in 0...100; NaN when empty.
    static func percentile(_ x: [Double], _ p: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        return RadixSelection.percentiles([p], of: x)[0]
    }

    /// Population skewness and excess kurtosis (scipy's defaults, bias = True).
    static func moments(_ x: [Double]) -> (skewness: Double, kurtosis: Double) {
        let n = Double(x.count)
        let m = mean(x)
        var m2 = 0.0
        var m3 = 0.0
        var m4 = 0.0
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
