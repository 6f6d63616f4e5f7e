/// Order statistics by radix selection on the bit patterns of doubles: branch-free histogram
/// passes instead of comparisons, several ranks sharing the first pass. Used for percentiles,
/// VaR and CVaR, where quickselect's unpredictable branches dominated the cost.
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
        let n = x.count
        var histogram = [Int32](repeating: 0, count: 1 << 16)
        histogram.withUnsafeMutableBufferPointer { h in
            for v in x { h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1 }
        }
        let nanCount = mayHoldNaN(histogram) ? x.reduce(0) { $0 &+ ($1.isNaN ? 1 : 0) } : 0
        if nanCount > 0 { return ranks.map { _ in .nan } }
        // Locate each rank's bucket; gather each distinct bucket once.
        var located: [(bucket: Int, offset: Int)] = []
        for rank in ranks {
            guard rank >= 0, rank < n else {
                located.append((-1, 0))
                continue
            }
            var below = 0
            var bucket = 0
            while below + Int(histogram[bucket]) <= rank {
                below += Int(histogram[bucket])
                bucket += 1
            }
            located.append((bucket, rank - below))
        }
        let gathered = gather(x, buckets: Set(located.map(\.bucket).filter { $0 >= 0 }), histogram: histogram)
        return located.map { (bucket, offset) in
            guard bucket >= 0, var keys = gathered[bucket] else { return .nan }
            return value(refine(&keys, offset, shift: 32))
        }
    }

    /// Whether the histogram has a value in a bucket that NaNs share (with the infinities only).
    private static func mayHoldNaN(_ histogram: [Int32]) -> Bool {
        // Positive NaNs (and +∞) have keys from 0xFFF0 << 48 up, negative ones (and −∞) up to 0x000F << 48.
        histogram[0xFFF0...].contains { $0 != 0 } || histogram[...0x000F].contains { $0 != 0 }
    }

    /// The keys of every value whose top 16 key bits are one of `buckets`, in one pass.
    private static func gather(_ x: UnsafeBufferPointer<Double>, buckets: Set<Int>, histogram: [Int32]) -> [Int: [UInt64]] {
        let wanted = buckets.sorted()
        if wanted.count == 1 || wanted.count == 2 {
            // Branch-free: every key is stored at the list's end, which only advances on a match
            // (each list has one spare slot for that).
            let w0 = UInt64(wanted[0])
            let w1 = wanted.count == 2 ? UInt64(wanted[1]) : UInt64.max
            let n0 = Int(histogram[wanted[0]])
            let n1 = wanted.count == 2 ? Int(histogram[wanted[1]]) : 0
            var l0 = [UInt64](repeating: 0, count: n0 + 1)
            var l1 = [UInt64](repeating: 0, count: n1 + 1)
            l0.withUnsafeMutableBufferPointer { a in
                l1.withUnsafeMutableBufferPointer { b in
                    var i0 = 0
                    var i1 = 0
                    for v in x {
                        let k = key(v)
                        let top = k >> 48
                        a[i0] = k
                        i0 &+= top == w0 ? 1 : 0
                        b[i1] = k
                        i1 &+= top == w1 ? 1 : 0
                    }
                }
            }
            l0.removeLast()
            l1.removeLast()
            return wanted.count == 1 ? [wanted[0]: l0] : [wanted[0]: l0, wanted[1]: l1]
        }
        var lists = wanted.map { b -> [UInt64] in
            var keys: [UInt64] = []
            keys.reserveCapacity(Int(histogram[b]))
            return keys
        }
        if !wanted.isEmpty {
            for v in x {
                let k = key(v)
                if let i = wanted.firstIndex(of: Int(k >> 48)) { lists[i].append(k) }
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(wanted, lists))
    }

    /// The sum of the `m` smallest values of `x` (1 ≤ m ≤ count): one histogram pass, then one
    /// pass that both gathers the boundary bucket and sums everything below it.
    static func lowestSum(_ m: Int, of x: UnsafeBufferPointer<Double>) -> Double {
        guard m >= 1, m <= x.count else { return .nan }
        var histogram = [Int32](repeating: 0, count: 1 << 16)
        histogram.withUnsafeMutableBufferPointer { h in
            for v in x { h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1 }
        }
        let nanCount = mayHoldNaN(histogram) ? x.reduce(0) { $0 &+ ($1.isNaN ? 1 : 0) } : 0
        guard nanCount == 0 else { return .nan }
        let rank = m - 1
        var below = 0
        var bucket = 0
        while below + Int(histogram[bucket]) <= rank {
            below += Int(histogram[bucket])
            bucket += 1
        }
        let wanted = UInt64(bucket)
        // Branch-free gather of the boundary bucket (one spare slot) and sum of everything below it.
        var keys = [UInt64](repeating: 0, count: Int(histogram[bucket]) + 1)
        var sumBelow = keys.withUnsafeMutableBufferPointer { out in
            var s0 = 0.0
            var s1 = 0.0
            var count = 0
            let n = x.count
            var i = 0
            while i + 2 <= n {
                let v = x[i]
                let w = x[i + 1]
                let kv = key(v)
                let kw = key(w)
                // v where below the bucket, else +0, by masking its bits: top − wanted wraps (bit 63 set) below.
                s0 += Double(bitPattern: v.bitPattern & (0 &- (((kv >> 48) &- wanted) >> 63)))
                s1 += Double(bitPattern: w.bitPattern & (0 &- (((kw >> 48) &- wanted) >> 63)))
                out[count] = kv
                count &+= kv >> 48 == wanted ? 1 : 0
                out[count] = kw
                count &+= kw >> 48 == wanted ? 1 : 0
                i += 2
            }
            if i < n {
                let k = key(x[i])
                s0 += k >> 48 < wanted ? x[i] : 0
                out[count] = k
            }
            return s0 + s1
        }
        keys.removeLast()
        // The remaining m − below values are the smallest of the boundary bucket.
        let t = m - below - 1
        keys.withUnsafeMutableBufferPointer { _ = select($0, t) }
        var sum = 0.0
        for i in 0...t { sum += value(keys[i]) }
        sumBelow += sum
        return sumBelow
    }

    /// `percentiles(ps, of:)` and `lowestSum(m, of:)` of the same values from one histogram
    /// pass and one gather pass, with the same results bit for bit (the same keys are gathered
    /// in the same order and selected the same way). Nil when the ranks fall in more than two
    /// buckets of the histogram; the caller then uses the separate functions.
    static func percentilesAndLowestSum(_ ps: [Double], lowest m: Int, of x: UnsafeBufferPointer<Double>) -> (
        percentiles: [Double], lowestSum: Double
    )? {
        let n = x.count
        guard n > 0, m >= 1, m <= n else { return nil }
        var histogram = [Int32](repeating: 0, count: 1 << 16)
        histogram.withUnsafeMutableBufferPointer { h in
            for v in x { h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1 }
        }
        if mayHoldNaN(histogram), x.contains(where: \.isNaN) { return (ps.map { _ in .nan }, .nan) }
        func locate(_ rank: Int) -> (bucket: Int, below: Int) {
            var below = 0
            var bucket = 0
            while below + Int(histogram[bucket]) <= rank {
                below += Int(histogram[bucket])
                bucket += 1
            }
            return (bucket, below)
        }
        // The plans of `percentiles`: each percentile's two ranks and its interpolation weight.
        var ranks: [(bucket: Int, offset: Int)] = []
        var weights: [Double] = []
        for p in ps {
            let q = p / 100
            let virtual = (Double(n) * q + (1 + q * (1 - 1 - 1))) - 1
            let clamped = min(max(virtual, 0), Double(n - 1))
            let below = clamped.rounded(.down)
            let lo = Int(below)
            for rank in [lo, min(lo + 1, n - 1)] {
                let (bucket, before) = locate(rank)
                ranks.append((bucket, rank - before))
            }
            weights.append(clamped - below)
        }
        let (lowBucket, lowBelow) = locate(m - 1)
        var buckets = Set(ranks.map(\.bucket))
        buckets.insert(lowBucket)
        guard buckets.count <= 2 else { return nil }
        let wanted = buckets.sorted()
        let w0 = UInt64(wanted[0])
        let w1 = wanted.count == 2 ? UInt64(wanted[1]) : UInt64.max
        let cut = UInt64(lowBucket)
        var l0 = [UInt64](repeating: 0, count: Int(histogram[wanted[0]]) + 1)
        var l1 = [UInt64](repeating: 0, count: (wanted.count == 2 ? Int(histogram[wanted[1]]) : 0) + 1)
        // Branch-free, as `gather` and `lowestSum`: every key is stored at its list's end, which
        // advances only on a match; the values below the cut bucket are summed in two lanes.
        var sumBelow = l0.withUnsafeMutableBufferPointer { a in
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
                    s0 += Double(bitPattern: v.bitPattern & (0 &- (((kv >> 48) &- cut) >> 63)))
                    s1 += Double(bitPattern: w.bitPattern & (0 &- (((kw >> 48) &- cut) >> 63)))
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
                    s0 += k >> 48 < cut ? x[i] : 0
                    a[i0] = k
                    i0 &+= k >> 48 == w0 ? 1 : 0
                    b[i1] = k
                }
                return s0 + s1
            }
        }
        l0.removeLast()
        l1.removeLast()
        func keys(_ bucket: Int) -> [UInt64] { bucket == wanted[0] ? l0 : l1 }
        var values: [Double] = []
        for (bucket, offset) in ranks {
            var copy = keys(bucket)
            values.append(value(refine(&copy, offset, shift: 32)))
        }
        let percentiles = weights.indices.map { j -> Double in
            let x0 = values[2 * j]
            let x1 = values[2 * j + 1]
            let t = weights[j]
            let diff = x1 - x0
            return t >= 0.5 ? x1 - diff * (1 - t) : x0 + diff * t
        }
        var low = keys(lowBucket)
        let t = m - lowBelow - 1
        low.withUnsafeMutableBufferPointer { _ = select($0, t) }
        var sum = 0.0
        for i in 0...t { sum += value(low[i]) }
        sumBelow += sum
        return (percentiles, sumBelow)
    }

    /// The key of rank `rank` among `keys`.
    private static func refine(_ keys: inout [UInt64], _ rank: Int, shift: UInt64) -> UInt64 {
        keys.withUnsafeMutableBufferPointer { select($0, rank) }
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

    /// numpy's linear-interpolation percentiles (0...100) of `x`; NaN when empty or with a NaN.
    static func percentiles(_ ps: [Double], of x: [Double]) -> [Double] {
        let n = x.count
        guard n > 0 else { return ps.map { _ in .nan } }
        var ranks: [Int] = []
        var plans: [(Int, Int, Double)] = []
        for p in ps {
            let q = p / 100
            let virtual = (Double(n) * q + (1 + q * (1 - 1 - 1))) - 1
            let clamped = min(max(virtual, 0), Double(n - 1))
            let below = clamped.rounded(.down)
            let lo = Int(below)
            let hi = min(lo + 1, n - 1)
            plans.append((ranks.count, ranks.count + 1, clamped - below))
            ranks += [lo, hi]
        }
        let v = x.withUnsafeBufferPointer { values(atRanks: ranks, of: $0) }
        return plans.map { (i, j, t) in
            let x0 = v[i]
            let x1 = v[j]
            let diff = x1 - x0
            return t >= 0.5 ? x1 - diff * (1 - t) : x0 + diff * t
        }
    }
}
