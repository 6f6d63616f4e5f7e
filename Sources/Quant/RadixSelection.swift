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
        var nanCount = 0
        histogram.withUnsafeMutableBufferPointer { h in
            for v in x {
                h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1
                nanCount &+= v.isNaN ? 1 : 0
            }
        }
        if nanCount > 0 { return ranks.map { _ in .nan } }
        // Locate each rank's bucket; gather each distinct bucket once.
        var located: [(bucket: Int, offset: Int)] = []
        for rank in ranks {
            guard rank >= 0, rank < n else { located.append((-1, 0)); continue }
            var below = 0, bucket = 0
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

    /// The keys of every value whose top 16 key bits are one of `buckets`, in one pass.
    private static func gather(_ x: UnsafeBufferPointer<Double>, buckets: Set<Int>, histogram: [Int32]) -> [Int: [UInt64]] {
        let wanted = buckets.sorted()
        var lists = wanted.map { b -> [UInt64] in
            var keys: [UInt64] = []
            keys.reserveCapacity(Int(histogram[b]))
            return keys
        }
        if wanted.count == 1 {
            let w = UInt64(wanted[0])
            for v in x {
                let k = key(v)
                if k >> 48 == w { lists[0].append(k) }
            }
        } else if wanted.count == 2 {
            let w0 = UInt64(wanted[0]), w1 = UInt64(wanted[1])
            for v in x {
                let k = key(v)
                let top = k >> 48
                if top == w0 { lists[0].append(k) } else if top == w1 { lists[1].append(k) }
            }
        } else if !wanted.isEmpty {
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
        var nanCount = 0
        histogram.withUnsafeMutableBufferPointer { h in
            for v in x {
                h[Int(truncatingIfNeeded: key(v) >> 48)] &+= 1
                nanCount &+= v.isNaN ? 1 : 0
            }
        }
        guard nanCount == 0 else { return .nan }
        let rank = m - 1
        var below = 0, bucket = 0
        while below + Int(histogram[bucket]) <= rank {
            below += Int(histogram[bucket])
            bucket += 1
        }
        let wanted = UInt64(bucket)
        var keys: [UInt64] = []
        keys.reserveCapacity(Int(histogram[bucket]))
        var sumBelow = 0.0
        for v in x {
            let k = key(v)
            let top = k >> 48
            sumBelow += top < wanted ? v : 0
            if top == wanted { keys.append(k) }
        }
        // The remaining m − below values are the smallest of the boundary bucket.
        keys.sort()
        var sum = sumBelow
        for i in 0..<(m - below) { sum += value(keys[i]) }
        return sum
    }

    /// The key of rank `rank` among `keys`, which share every bit above `shift + 16`.
    private static func refine(_ keys: inout [UInt64], _ rank: Int, shift: UInt64) -> UInt64 {
        if keys.count <= 2048 || shift == 0 {
            keys.sort()
            return keys[rank]
        }
        var histogram = [Int32](repeating: 0, count: 1 << 16)
        histogram.withUnsafeMutableBufferPointer { h in
            for k in keys { h[Int(truncatingIfNeeded: (k >> shift) & 0xFFFF)] &+= 1 }
        }
        var below = 0, bucket = 0
        while below + Int(histogram[bucket]) <= rank {
            below += Int(histogram[bucket])
            bucket += 1
        }
        let wanted = UInt64(bucket)
        var next = keys.filter { (($0 >> shift) & 0xFFFF) == wanted }
        return refine(&next, rank - below, shift: shift - 16)
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
            let lo = Int(below), hi = min(lo + 1, n - 1)
            plans.append((ranks.count, ranks.count + 1, clamped - below))
            ranks += [lo, hi]
        }
        let v = x.withUnsafeBufferPointer { values(atRanks: ranks, of: $0) }
        return plans.map { (i, j, t) in
            let x0 = v[i], x1 = v[j]
            let diff = x1 - x0
            return t >= 0.5 ? x1 - diff * (1 - t) : x0 + diff * t
        }
    }
}
