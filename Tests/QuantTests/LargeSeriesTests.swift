import Testing

@testable import Quant

/// The lane-parallel kernels (used from a few thousand returns up) against plain sequential
/// formulations on long random walks, trends, crashes and flat series.
@Suite struct LargeSeriesTests {
    static func series(_ kind: Int, _ n: Int) -> [Double] {
        var rng = PropertyTests.SplitMix(state: UInt64(kind) &* 7919 &+ 1)
        switch kind {
        case 0: return (0..<n).map { _ in (rng.next() - 0.5) * 0.004 }
        case 1: return (0..<n).map { _ in (rng.next() - 0.45) * 0.01 }  // rising
        case 2: return (0..<n).map { _ in (rng.next() - 0.55) * 0.01 }  // falling
        case 3: return (0..<n).map { i in i == n / 3 ? -0.6 : i == 2 * n / 3 ? 0.9 : (rng.next() - 0.5) * 0.03 }
        case 4: return [Double](repeating: 0, count: n)
        case 5: return (0..<n).map { i in i == n / 2 ? -1.5 : (rng.next() - 0.5) * 0.002 }  // negative wealth
        default: return (0..<n).map { _ in 0.0001 }
        }
    }

    static func referenceStability(_ r: [Double]) -> Double {
        var acc = 0.0
        let y = r.map {
            acc += Math.log1p($0)
            return acc
        }
        let n = Double(y.count)
        let xm = (n - 1) / 2
        let ym = y.reduce(0, +) / n
        var sxx = 0.0
        var syy = 0.0
        var sxy = 0.0
        for (i, v) in y.enumerated() {
            let dx = Double(i) - xm
            let dy = v - ym
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        let den = (sxx * syy).squareRoot()
        let rho = den == 0 ? 0 : min(max(sxy / den, -1), 1)
        return rho * rho
    }

    @Test(arguments: 0..<7)
    func drawdownAndStabilityMatchSequential(kind: Int) {
        for n in [4096, 4099, 65_537, 200_000] {
            let r = Self.series(kind, n)
            let expected = r.withUnsafeBufferPointer { Metrics.maxDrawdownSequential($0) }
            #expect(close(Metrics.maxDrawdown(r), expected, relative: 1e-12, absolute: 1e-15), "kind \(kind) n \(n)")
            #expect(close(Metrics.stability(r), Self.referenceStability(r), relative: 1e-9, absolute: 1e-12), "kind \(kind) n \(n)")
        }
        if kind == 4 {
            #expect(Metrics.maxDrawdown(Self.series(4, 10_000)) == 0)
            #expect(Metrics.stability(Self.series(4, 10_000)) == 0)
        }
    }

    @Test(arguments: 0..<7)
    func percentilesAndShortfallMatchSorting(kind: Int) throws {
        for n in [4099, 200_000] {
            var r = Self.series(kind, n)
            if kind == 6 { r = r.enumerated().map { Double($0.offset % 7) * 1e-3 } }  // heavy ties
            let sorted = r.sorted()
            let ranks = [0, n / 20, n / 20 + 1, n / 2, n - n / 20, n - 1]
            #expect(r.withUnsafeBufferPointer { RadixSelection.values(atRanks: ranks, of: $0) } == ranks.map { sorted[$0] })
            for confidence in [0.5, 0.95, 0.99] {
                let k = Int(Double(n - 1) * (1 - confidence))
                let expected = sorted.prefix(k + 1).reduce(0, +) / Double(k + 1)
                #expect(close(try Risk.conditionalValueAtRisk(r, confidence: confidence), expected, relative: 1e-10, absolute: 1e-15))
            }
        }
    }

    /// Values on both sides of the edges of the buckets that hold the wanted ranks (where the
    /// gather compares values instead of keys), zeros of both signs and infinities (where it
    /// compares keys): every rank and every lowest sum as sorting gives them.
    @Test func orderStatisticsAtBucketEdges() {
        var rng = PropertyTests.SplitMix(state: 17)
        var edges: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        for d in [-0.031, -0.0042, -1e-300, 1e-300, 0.0017, 0.05, 1e300, -1e300] {
            // The first key of d's bucket and of the next, and the keys just below each.
            let top = RadixSelection.key(d) >> 48
            for k in [top << 48, (top << 48) &- 1, (top + 1) << 48, ((top + 1) << 48) &- 1] {
                let v = RadixSelection.value(k)
                if !v.isNaN { edges.append(v) }
            }
        }
        for withInfinities in [false, true] {
            let pool = withInfinities ? edges : edges.filter(\.isFinite)
            let x = (0..<5_000).map { i in i % 3 == 0 ? pool[Int(rng.next() * Double(pool.count))] : (rng.next() - 0.5) * 0.01 }
            let sorted = x.sorted()
            let n = x.count
            for rank in stride(from: 0, to: n, by: 97) {
                // One rank (one bucket), two (the value test) and four (the bitmap).
                let sets = [[rank], [rank, n - 1 - rank], [rank, n / 2, n - 1 - rank, (rank * 7) % n]]
                for ranks in sets {
                    let got = x.withUnsafeBufferPointer { RadixSelection.values(atRanks: ranks, of: $0) }
                    // Numeric equality: −0 and +0 are one value to `sorted()` (in no set order).
                    #expect(got == ranks.map { sorted[$0] }, "ranks \(ranks)")
                }
                let m = rank + 1
                let sum = x.withUnsafeBufferPointer { RadixSelection.orderStatistics(ranks: [n - 1 - rank], lowest: m, of: $0) }
                let expected = sorted.prefix(m).reduce(0, +)
                #expect(sum.values == [sorted[n - 1 - rank]])
                #expect(sum.lowestSum == expected || close(sum.lowestSum, expected, relative: 1e-12, absolute: 1e-15), "m \(m)")
            }
        }
    }

    @Test func nanMakesOrderStatisticsNaN() throws {
        for n in [100, 10_000] {
            for bad in [Double.nan, -Double.nan, Double(bitPattern: 0x7FF0_0000_0000_0001)] {
                var r = Self.series(0, n)
                r[n / 2] = bad
                #expect(Metrics.tailRatio(r).isNaN)
                #expect(try Risk.valueAtRisk(r).isNaN)
                #expect(try Risk.conditionalValueAtRisk(r).isNaN)
            }
            var r = Self.series(0, n)
            r[1] = .infinity
            r[2] = -.infinity
            let sorted = r.sorted()
            #expect(r.withUnsafeBufferPointer { RadixSelection.values(atRanks: [0, 1, n - 1], of: $0) } == [sorted[0], sorted[1], sorted[n - 1]])
        }
    }
}
