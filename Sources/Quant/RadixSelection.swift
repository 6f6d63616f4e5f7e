/// Order statistics by radix selection on the bit patterns of doubles: branch-free histogram
/// passes instead of comparisons, several ranks sharing the first pass. Used for percentiles,
/// VaR and CVaR, where quickselect's unpredictable branches dominated the cost.
///
/// Every entry point goes through ``orderStatistics(ranks:lowest:of:)``: one histogram pass of
/// the top 16 key bits, then one gather pass that collects the keys of every bucket holding a
/// wanted rank and sums the values below the bucket of the m-th smallest, then a quickselect
/// within each bucket.
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
        let wantsSum = m >= 1 && m <= n
        // Every rank asked for, located in one walk of the histogram from each end.
        var targets = ranks.filter { (0..<n).contains($0) }
        if wantsSum { targets.append(m - 1) }
        let located = locate(Set(targets).sorted(), histogram: histogram, count: n)
        let low = wantsSum ? located[m - 1]! : (bucket: 0, below: 0)
        let wanted = Set(located.values.map(\.bucket)).sorted()
        // One pass gathers every wanted bucket's keys (in input order) and sums the values
        // below the sum's bucket.
        let gathered = gather(x, wanted, histogram: histogram, cut: low.bucket)
        var lists: [Int: [UInt64]] = [:]
        for (j, bucket) in wanted.enumerated() { lists[bucket] = gathered.lists[j] }
        // The sum's bucket in input order first (its order after the selection decides the
        // sum's rounding); the ranks' selections then work on whatever order is left.
        var lowestSum = Double.nan
        if wantsSum, var keys = lists[low.bucket] {
            lists[low.bucket] = nil
            let t = m - low.below - 1
            keys.withUnsafeMutableBufferPointer { _ = select($0, t) }
            var sum = 0.0
            for i in 0...t { sum += value(keys[i]) }
            lowestSum = gathered.sumBelow + sum
            lists[low.bucket] = keys
        }
        var values: [Double] = []
        values.reserveCapacity(ranks.count)
        for rank in ranks {
            guard let (bucket, below) = located[rank], var keys = lists[bucket] else {
                values.append(.nan)
                continue
            }
            lists[bucket] = nil  // the only reference while selecting: no copy
            values.append(value(keys.withUnsafeMutableBufferPointer { select($0, rank - below) }))
            lists[bucket] = keys
        }
        return (values, lowestSum)
    }

    /// The bucket of each rank of `sorted` (ascending, each in 0..<count) and the count of the
    /// values in the buckets below it. Ranks in the lower half are found walking up from the
    /// first bucket, the others walking down from the last (the tails are near their ends),
    /// four buckets a step where the rank is not among them.
    private static func locate(_ sorted: [Int], histogram: [Int32], count n: Int) -> [Int: (bucket: Int, below: Int)] {
        var found: [Int: (bucket: Int, below: Int)] = [:]
        histogram.withUnsafeBufferPointer { h in
            var below = 0
            var bucket = 0
            for rank in sorted where rank < n / 2 {
                while bucket + 4 <= h.count {
                    let four = Int(h[bucket]) + Int(h[bucket + 1]) + Int(h[bucket + 2]) + Int(h[bucket + 3])
                    guard below + four <= rank else { break }
                    below += four
                    bucket += 4
                }
                while below + Int(h[bucket]) <= rank {
                    below += Int(h[bucket])
                    bucket += 1
                }
                found[rank] = (bucket, below)
            }
            // From the top: `above` values lie in the buckets above `top`.
            var above = 0
            var top = h.count - 1
            for rank in sorted.reversed() where rank >= n / 2 {
                let fromTop = n - 1 - rank
                while top >= 4 {
                    let four = Int(h[top]) + Int(h[top - 1]) + Int(h[top - 2]) + Int(h[top - 3])
                    guard above + four <= fromTop else { break }
                    above += four
                    top -= 4
                }
                while above + Int(h[top]) <= fromTop {
                    above += Int(h[top])
                    top -= 1
                }
                found[rank] = (top, n - above - Int(h[top]))
            }
        }
        return found
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

    /// One pass: the keys of the values in each of the `wanted` buckets (ascending, at most a
    /// few; each list in input order) and the sum of the values below bucket `cut`, in four
    /// lanes (position mod 4), the tail in the first. The wanted buckets hold few of the values,
    /// so their test is a branch that is rarely taken; the sum masks each value's bits instead.
    private static func gather(_ x: UnsafeBufferPointer<Double>, _ wanted: [Int], histogram: [Int32], cut: Int) -> (
        lists: [[UInt64]], sumBelow: Double
    ) {
        let n = x.count
        let counts = wanted.map { Int(histogram[$0]) }
        var starts = [0]
        for c in counts { starts.append(starts[starts.count - 1] + c) }
        let total = starts[starts.count - 1]
        var sumBelow = 0.0
        // The keys of every wanted bucket, one region each, in one array.
        let keys = [UInt64](unsafeUninitializedCapacity: total) { out, initialized in
            let o = out.baseAddress!
            let below = UInt64(cut)
            var s = SIMD4<Double>.zero
            var i = 0
            // v where below the bucket, else +0, by masking its bits: top − cut wraps (bit 63 set) below.
            @inline(__always) func masked(_ k: UInt64, _ v: Double) -> Double {
                Double(bitPattern: v.bitPattern & (0 &- (((k >> 48) &- below) >> 63)))
            }
            // Where no bucket involved holds a zero (their keys differ for −0 and +0, their
            // values not) or an infinity or NaN (whose bounds are no numbers), a bucket's keys
            // are a half-open range of values and the test compares values, four at a time.
            let finite = 0x0010...0xFFEF
            let plain = { (b: Int) in finite.contains(b) && b != 0x7FFF && b != 0x8000 }
            if wanted.count <= 2, wanted.allSatisfy(plain), cut <= 0xFFEF {
                // Bucket b holds the values in [value(b << 48), value((b + 1) << 48)).
                @inline(__always) func bound(_ b: Int) -> Double { value(UInt64(b) << 48) }
                let lo0 = bound(wanted[0])
                let hi0 = wanted[0] < 0xFFFF ? bound(wanted[0] + 1) : .infinity
                let lo1 = wanted.count == 2 ? bound(wanted[1]) : .infinity
                let hi1 = wanted.count == 2 && wanted[1] < 0xFFFF ? bound(wanted[1] + 1) : .infinity
                // Below bucket `cut` is below its lowest value (−0 is left out of the sum when
                // the bound is +0, which adds nothing).
                // Two-lane vectors: the standard library's `any` of a four-lane mask sign-extends
                // every lane before testing it (SSE2), that of a two-lane mask is two moves.
                let cutValue = SIMD2<Double>(repeating: bound(cut))
                let l0 = SIMD2(repeating: lo0)
                let h0 = SIMD2(repeating: hi0)
                let l1 = SIMD2(repeating: lo1)
                let h1 = SIMD2(repeating: hi1)
                var sA = SIMD2<Double>.zero  // lanes 0 and 1 (positions 4k and 4k + 1)
                var sB = SIMD2<Double>.zero  // lanes 2 and 3
                var i0 = 0
                var i1 = starts.count > 1 ? starts[1] : 0
                @inline(__always) func take(_ v: Double) {
                    if v >= lo0 && v < hi0 {
                        o[i0] = key(v)
                        i0 &+= 1
                    } else if v >= lo1 && v < hi1 {
                        o[i1] = key(v)
                        i1 &+= 1
                    }
                }
                while i + 4 <= n {
                    let a = SIMD2(x[i], x[i + 1])
                    let b = SIMD2(x[i + 2], x[i + 3])
                    sA += SIMD2<Double>.zero.replacing(with: a, where: a .< cutValue)
                    sB += SIMD2<Double>.zero.replacing(with: b, where: b .< cutValue)
                    let hitA = (a .>= l0 .& a .< h0) .| (a .>= l1 .& a .< h1)
                    let hitB = (b .>= l0 .& b .< h0) .| (b .>= l1 .& b .< h1)
                    if any(hitA .| hitB) {
                        take(a[0])
                        take(a[1])
                        take(b[0])
                        take(b[1])
                    }
                    i += 4
                }
                s = SIMD4(sA[0], sA[1], sB[0], sB[1])
                var s0 = s[0]
                while i < n {
                    s0 += x[i] < cutValue[0] ? x[i] : 0
                    take(x[i])
                    i += 1
                }
                s[0] = s0
            } else if wanted.count <= 2 {
                // A top of UInt64.max matches no key (tops are below 2¹⁶).
                let w0 = wanted.first.map { UInt64($0) } ?? .max
                let w1 = wanted.count == 2 ? UInt64(wanted[1]) : .max
                var i0 = 0
                var i1 = starts.count > 1 ? starts[1] : 0
                while i + 4 <= n {
                    let v = Statistics.load4(x, i)
                    let k = SIMD4(key(v[0]), key(v[1]), key(v[2]), key(v[3]))
                    s += SIMD4(masked(k[0], v[0]), masked(k[1], v[1]), masked(k[2], v[2]), masked(k[3], v[3]))
                    for j in 0..<4 {
                        let top = k[j] >> 48
                        if top == w0 {
                            o[i0] = k[j]
                            i0 &+= 1
                        } else if top == w1 {
                            o[i1] = k[j]
                            i1 &+= 1
                        }
                    }
                    i += 4
                }
                var s0 = s[0]
                while i < n {
                    let k = key(x[i])
                    s0 += masked(k, x[i])
                    if k >> 48 == w0 {
                        o[i0] = k
                        i0 &+= 1
                    } else if k >> 48 == w1 {
                        o[i1] = k
                        i1 &+= 1
                    }
                    i += 1
                }
                s[0] = s0
            } else {
                // More buckets: a bitmap of them decides, the rare match looks its region up.
                var bitmap = [UInt64](repeating: 0, count: 1 << 10)
                for b in wanted { bitmap[b >> 6] |= 1 << UInt64(b & 63) }
                var next = starts
                bitmap.withUnsafeBufferPointer { map in
                    while i < n {
                        let k = key(x[i])
                        let sum = masked(k, x[i])
                        if i < 4 * (n / 4) { s[i & 3] += sum } else { s[0] += sum }
                        if map[Int(truncatingIfNeeded: k >> 54)] >> ((k >> 48) & 63) & 1 != 0 {
                            let j = wanted.firstIndex(of: Int(truncatingIfNeeded: k >> 48))!
                            o[next[j]] = k
                            next[j] += 1
                        }
                        i += 1
                    }
                }
            }
            sumBelow = (s[0] + s[1]) + (s[2] + s[3])
            initialized = total
        }
        let lists = wanted.indices.map { Array(keys[starts[$0]..<starts[$0 + 1]]) }
        return (lists, sumBelow)
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
