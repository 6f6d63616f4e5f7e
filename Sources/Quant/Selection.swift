/// Order statistics in linear expected time (numpy's `partition`), for percentiles without sorting.
enum Selection {
    /// Rearranges `a` so that `a[k]` is the k-th smallest value, everything before it is ≤ and
    /// everything after it is ≥ (3-way quickselect; NaN compares as equal, so it terminates).
    static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) {
        var lo = 0, hi = a.count - 1
        while lo < hi {
            // Median of three as the pivot.
            let mid = lo + (hi - lo) / 2
            let x = a[lo], y = a[mid], z = a[hi]
            let pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y))
            var lt = lo, i = lo, gt = hi
            while i <= gt {
                let v = a[i]
                if v < pivot {
                    a.swapAt(lt, i); lt += 1; i += 1
                } else if v > pivot {
                    a.swapAt(i, gt); gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt { hi = lt - 1 } else if k > gt { lo = gt + 1 } else { return }
        }
    }

    /// numpy's linear-interpolation percentile of `a` (0...100), reordering `a` in place.
    static func percentile(_ a: UnsafeMutableBufferPointer<Double>, _ p: Double) -> Double {
        let n = a.count
        guard n > 0 else { return .nan }
        let q = p / 100
        let virtual = (Double(n) * q + (1 + q * (1 - 1 - 1))) - 1
        if virtual <= 0 {
            select(a, 0)
            return a[0]
        }
        if virtual >= Double(n - 1) {
            select(a, n - 1)
            return a[n - 1]
        }
        let below = virtual.rounded(.down)
        let lo = Int(below)
        let t = virtual - below
        select(a, lo)
        var x1 = a[lo + 1]
        for i in (lo + 1)..<n where a[i] < x1 { x1 = a[i] }
        let x0 = a[lo]
        let diff = x1 - x0
        return t >= 0.5 ? x1 - diff * (1 - t) : x0 + diff * t
    }
}
