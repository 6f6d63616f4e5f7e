/// Order statistics by radix selection on the bit patterns of doubles: branch-free histogram
/// passes instead of comparisons, several ranks sharing the first pass. Used for percentiles,
/// VaR and CVaR, where quickselect's unpredictable branches dominated the cost.
///
/// Every entry point goes through ``orderStatistics(ranks:lowest:of:)``: one histogram pass of
/// the top 16 key bits, then branch-free gather passes (two buckets each) that also sum the
/// values below the bucket of the m-th smallest, then a quickselect within each bucket.
enum RadixSelection {
    /// A key whose unsigned order is the numeric order of finite doubles.
    @inline(__always)
    static func key(_ d: Double) -> UInt64 {
        let b = d.bitPattern
        return b >> 63 != 0 ? ~b : b | (1 << 63)
    }

    /// The double of a key.
    @inline(__always)
    static func value(_ k: UInt64) -> Double {
        Double(bitPattern: k >> 63 != 0 ? k & ~(1 << 63) : ~k)
    }

    /// The values of the given 0-based ranks in ascending order (rank 0 = smallest); NaN for
    /// every rank when `x` holds a NaN or a rank is out of range.
    static func values(atRanks ranks: [Int], of x: UnsafeBufferPointer<Double>) -> [Double] {
        orderStatistics(ranks: ranks, lowest: 0, of: x).values
    }

    /// The sum of the `m` smallest values of `x` (1 ≤ m ≤ count, else NaN).
    static func lowestSum(_ m: Int, of x: UnsafeBufferPointer<Double>) -> Double {
        orderStatistics(ranks: [], lowest: m, of: x).lowestSum
    }

    /// numpy's linear-interpolation percentiles (0...100) of `x`; NaN when empty or with a NaN.
    static func percentiles(_ ps: [Double], of x: [Double]) -> [Double] {
        guard !x.isEmpty else { return ps.map { _ in .nan } }
        return x.withUnsafeBufferPointer { percentilesAndLowestSum(ps, lowest: 0, of: $0)?.percentiles ?? [] }
    }

    /// `percentiles(ps, of:)` and `lowestSum(m, of:)` of the same values from the same passes,
    /// with the same results bit for bit. `m` = 0 asks for no sum (it is then NaN); nil when `x`
    /// is empty or `m` is out of range.
    static func percentilesAndLowestSum(_ ps: [Double], lowest m: Int, of x: UnsafeBufferPointer<Double>) -> (
        percentiles: [Double], lowestSum: Double
    )? {
        let n = x.count
        guard n > 0, m >= 0, m <= n else { return nil }
        // numpy's plan of each percentile: its two ranks and its interpolation weight.
        var ranks: [Int] = []
        var weights: [Double] = []
        for p in ps {
            let q = p / 100
            let virtual = (Double(n) * q + (1 + q * (1 - 1 - 1))) - 1
            let clamped = min(max(virtual, 0), Double(n - 1))
            let below = clamped.rounded(.down)
            let lo = Int(below)
            ranks += [lo, min(lo + 1, n - 1)]
            weights.append(clamped - below)
        }
        let found = orderStatistics(ranks: ranks, lowest: m, of: x)
        let percentiles = weights.indices.map { j -> Double in
            let x0 = found.values[2 * j]
            let x1 = found.values[2 * j + 1]
            let t = weights[j]
            let diff = x1 - x0
            return t >= 0.5 ? x1 - diff * (1 - t) : x0 + diff * t
        }
        return (percentiles, found.lowestSum)
    }

    /// The values at `ranks` (NaN where out of range) and the sum of the `m` smallest values
    /// (NaN unless 1 ≤ m ≤ count); all NaN when `x` holds a NaN.
    static func orderStatistics(ranks: [Int], lowest m: Int, of x: UnsafeBufferPointer<Double>) -> (
        values: [Double], lowestSum: Double
    ) {
        let n = x.count
        guard let histogram = histogram(of: x) else { return (ranks.map { _ in .nan }, .nan) }
        func locate(_ rank: Int) -> (bucket: Int, below: Int) {
            var below = 0
            var bucket = 0
            while below + Int(histogram[bucket]) <= rank {
                below += Int(histogram[bucket])
                bucket += 1
            }
            return (bucket, below)
        }
        let located = ranks.map { rank in (0..<n).contains(rank) ? locate(rank) : (bucket: -1, below: 0) }
        let wantsSum = m >= 1 && m <= n
        let low = wantsSum ? locate(m - 1) : (bucket: 0, below: 0)
        var buckets = Set(located.map(\.bucket).filter { $0 >= 0 })
        if wantsSum { buckets.insert(low.bucket) }
        let wanted = buckets.sorted()
        // Two buckets a pass; the first pass also sums the values below the sum's bucket.
        var lists: [Int: [UInt64]] = [:]
        var sumBelow = 0.0
        var k = 0
        while k < wanted.count {
            let second = k + 1 < wanted.count ? wanted[k + 1] : nil
            let pass = gather(x, wanted[k], second, histogram: histogram, cut: low.bucket)
            if k == 0 { sumBelow = pass.sumBelow }
            lists[wanted[k]] = pass.first
            if let second { lists[second] = pass.second }
            k += 2
        }
        // The sum's bucket in input order first (its order after the selection decides the
        // sum's rounding); the ranks' selections then work on whatever order is left.
        var lowestSum = Double.nan
        if wantsSum, var keys = lists[low.bucket] {
            let t = m - low.below - 1
            keys.withUnsafeMutableBufferPointer { _ = select($0, t) }
            var sum = 0.0
            for i in 0...t { sum += value(keys[i]) }
            lowestSum = sumBelow + sum
            lists[low.bucket] = keys
        }
        var values: [Double] = []
        values.reserveCapacity(ranks.count)
        for (rank, (bucket, below)) in zip(ranks, located) {
            guard bucket >= 0, var keys = lists[bucket] else {
                values.append(.nan)
                continue
            }
            lists[bucket] = nil  // the only reference while selecting: no copy
            values.append(value(keys.withUnsafeMutableBufferPointer { select($0, rank - below) }))
            lists[bucket] = keys
        }
        return (values, lowestSum)
    }

    /// The histogram of the top 16 key bits of `x`; nil when `x` holds a NaN.
    private static func histogram(of x: UnsafeBufferPointer<Double>) -> [Int32]? {
        // Exact zeros (the returns of a flat equity curve, often half of them) would all add to
        // one counter, each increment waiting for the previous one; they are counted in eight
        // spare slots instead and folded in afterwards.
        // A sample of every 64th value decides (the histogram is the same either way).
        let zero = key(0)
        let zeroBucket = Int(truncatingIfNeeded: zero >> 48)
        let sampledZeros = stride(from: 0, to: x.count, by: 64).reduce(0) { $0 + (x[$1] == 0 ? 1 : 0) }
        let manyZeros = sampledZeros * 16 > (x.count + 63) / 64
        var h = [Int32](repeating: 0, count: (1 << 16) + 8)
        h.withUnsafeMutableBufferPointer { h in
            if manyZeros {
                for i in 0..<x.count {
                    let k = key(x[i])
                    h[k == zero ? (1 << 16) + (i & 7) : Int(truncatingIfNeeded: k >> 48)] &+= 1
                }
                for j in 0..<8 { h[zeroBucket] &+= h[(1 << 16) + j] }
            } else {
                for v in x { h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1 }
            }
        }
        h.removeLast(8)
        // Positive NaNs (and +∞) have keys from 0xFFF0 << 48 up, negative ones (and −∞) up to 0x000F << 48.
        let mayHoldNaN = h[0xFFF0...].contains { $0 != 0 } || h[...0x000F].contains { $0 != 0 }
        if mayHoldNaN, x.contains(where: \.isNaN) { return nil }
        return h
    }

    /// One branch-free pass: the keys of the values in bucket `b0` and in bucket `b1` (each in
    /// input order) and the sum of the values below bucket `cut`, in two lanes (even and odd
    /// positions). Every key is stored at its list's end, which only advances on a match (each
    /// list has one spare slot for that).
    private static func gather(_ x: UnsafeBufferPointer<Double>, _ b0: Int, _ b1: Int?, histogram: [Int32], cut: Int) -> (
        first: [UInt64], second: [UInt64], sumBelow: Double
    ) {
        let n = x.count
        let w0 = UInt64(b0)
        let w1 = b1.map { UInt64($0) } ?? .max
        let below = UInt64(cut)
        var l0 = [UInt64](repeating: 0, count: Int(histogram[b0]) + 1)
        var l1 = [UInt64](repeating: 0, count: (b1.map { Int(histogram[$0]) } ?? 0) + 1)
        let sumBelow = l0.withUnsafeMutableBufferPointer { a in
            l1.withUnsafeMutableBufferPointer { b in
                var i0 = 0
                var i1 = 0
                var s0 = 0.0
                var s1 = 0.0
                var i = 0
                while i + 2 <= n {
                    let v = x[i]
                    let w = x[i + 1]
                    let kv = key(v)
                    let kw = key(w)
                    // v where below the bucket, else +0, by masking its bits: top − cut wraps (bit 63 set) below.
                    s0 += Double(bitPattern: v.bitPattern & (0 &- (((kv >> 48) &- below) >> 63)))
                    s1 += Double(bitPattern: w.bitPattern & (0 &- (((kw >> 48) &- below) >> 63)))
                    a[i0] = kv
                    i0 &+= kv >> 48 == w0 ? 1 : 0
                    b[i1] = kv
                    i1 &+= kv >> 48 == w1 ? 1 : 0
                    a[i0] = kw
                    i0 &+= kw >> 48 == w0 ? 1 : 0
                    b[i1] = kw
                    i1 &+= kw >> 48 == w1 ? 1 : 0
                    i += 2
                }
                if i < n {
                    let k = key(x[i])
                    s0 += k >> 48 < below ? x[i] : 0
                    a[i0] = k
                    b[i1] = k
                }
                return s0 + s1
            }
        }
        l0.removeLast()
        l1.removeLast()
        return (l0, l1, sumBelow)
    }

    /// Rearranges `p` so that `p[k]` is its k-th smallest key, smaller ones before it and larger
    /// ones after it, and returns it (quickselect with branch-free partitions).
    @discardableResult
    static func select(_ p: UnsafeMutableBufferPointer<UInt64>, _ k: Int) -> UInt64 {
        var lo = 0
        var hi = p.count  // the answer is in lo..<hi
        while hi - lo > 16 {
            let a = p[lo]
            let b = p[lo + (hi - lo) / 2]
            let c = p[hi - 1]
            let pivot = max(min(a, b), min(max(a, b), c))
            var j = lo  // [lo, j) < pivot
            for i in lo..<hi {
                let v = p[i]
                p[i] = p[j]
                p[j] = v
                j &+= v < pivot ? 1 : 0
            }
            if k < j {
                hi = j
                continue
            }
            var e = j  // [j, e) == pivot
            for i in j..<hi {
                let v = p[i]
                p[i] = p[e]
                p[e] = v
                e &+= v == pivot ? 1 : 0
            }
            if k < e { return pivot }
            lo = e
        }
        if hi - lo > 1 {
            for i in (lo + 1)..<hi {
                let v = p[i]
                var j = i
                while j > lo && p[j - 1] > v {
                    p[j] = p[j - 1]
                    j -= 1
                }
                p[j] = v
            }
        }
        return p[k]
    }
}
