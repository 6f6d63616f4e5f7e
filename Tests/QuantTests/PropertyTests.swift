import Testing

@testable import Quant

/// Seeded random series through every strategy: invariants that must hold for any input.
@Suite struct PropertyTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    static func randomSeries(_ rng: inout SplitMix, count: Int) throws -> OHLCVSeries {
        var close: [Double] = []
        var open: [Double] = []
        var high: [Double] = []
        var low: [Double] = []
        var p = 50 + 100 * rng.next()
        let flat = rng.next() < 0.2  // some series are constant
        for _ in 0..<count {
            let o = p
            if !flat { p = max(0.01, (p * (1 + (rng.next() - 0.5) * 0.06) * 100).rounded() / 100) }
            open.append(o)
            close.append(p)
            high.append(max(o, p) * (1 + 0.01 * rng.next()))
            low.append(min(o, p) * (1 - 0.01 * rng.next()))
        }
        return try OHLCVSeries(
            timestamps: (0..<count).map { Int64($0) * 60 }, open: open, high: high, low: low, close: close)
    }

    @Test(arguments: 0..<40)
    func backtestInvariants(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &* 7919 &+ 1)
        let series = try Self.randomSeries(&rng, count: Int(rng.next() * 400))
        for name in StrategyRegistry.names {
            let d = try StrategyRegistry.descriptor(named: name)
            var params: [String: Double] = [:]
            for p in d.parameters where p.kind == .integer {
                params[p.name] = Double(Int(p.range.lowerBound) + Int(rng.next() * 20))
            }
            if params["fast"] != nil { params["slow"] = (params["fast"] ?? 2) + 1 + Double(Int(rng.next() * 30)) }
            let strategy = try StrategyRegistry.strategy(named: name, parameters: params)
            let config = BacktestConfiguration(
                cash: 10_000, commission: rng.next() * 0.01, slippageBasisPoints: rng.next() * 20,
                allowShort: rng.next() < 0.5)
            let r = try Backtester.run(series, strategy: strategy, configuration: config)
            let e = r.equity
            #expect(e.equity.count == series.count)
            for i in 0..<series.count {
                #expect(close(e.equity[i], e.cash[i] + Double(e.shares[i]) * series.close[i], relative: 1e-12))
            }
            #expect(e.cash.allSatisfy(\.isFinite) && e.equity.allSatisfy(\.isFinite))
            // The exposure counted from the trades is the share of bars that end holding shares.
            let holding = e.shares.filter { $0 != 0 }.count
            #expect(r.summary.exposure == (series.count == 0 ? 0 : Double(holding) / Double(series.count)), "\(name)")
            let closed = r.trades.filter { !$0.isOpen }
            #expect(closed.allSatisfy { ($0.exitBar ?? 0) > $0.entryBar && $0.shares != 0 })
            #expect(r.trades.filter(\.isOpen).count <= 1)
            if !config.allowShort || !d.supportsShort { #expect(e.shares.allSatisfy { $0 >= 0 }) }
            let mdd = r.metrics.maxDrawdown
            #expect(mdd.isNaN || (mdd <= 0 && mdd >= -1.5))
            let json = r.json().rendered()
            #expect(!json.contains("nan") && !json.contains("inf"))
        }
    }

    @Test(arguments: 0..<20)
    func csvRoundTrip(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &+ 99)
        let s = try Self.randomSeries(&rng, count: 1 + Int(rng.next() * 200))
        var text = "timestamp,open,high,low,close\n"
        for i in 0..<s.count {
            text += "\(s.timestamps[i] + 1_700_000_000),\(s.open[i]),\(s.high[i]),\(s.low[i]),\(s.close[i])\n"
        }
        let parsed = try OHLCVCSVReader.parse(text)
        #expect(parsed.close == s.close && parsed.high == s.high && parsed.low == s.low && parsed.open == s.open)
    }
}

/// The selection kernels against sorting, on values with many ties and both signs.
@Suite struct SelectionPropertyTests {
    @Test(arguments: 0..<30)
    func percentilesAndShortfallMatchSorting(seed: Int) throws {
        var rng = PropertyTests.SplitMix(state: UInt64(seed) &+ 12345)
        let n = 1 + Int(rng.next() * 5000)
        let ties = rng.next() < 0.5
        let x = (0..<n).map { _ in ties ? (rng.next() * 20).rounded() / 1000 - 0.01 : (rng.next() - 0.5) * 0.1 }
        let sorted = x.sorted()
        for p in [0.0, 1, 5, 37.5, 50, 95, 99, 100] {
            // numpy's default ("linear"): the value at rank h = (n − 1)·p/100, interpolated
            // between its neighbours in sorted order.
            let h = Double(n - 1) * p / 100
            let lo = Int(h.rounded(.down))
            let hi = min(lo + 1, n - 1)
            let expected = sorted[lo] + (sorted[hi] - sorted[lo]) * (h - Double(lo))
            #expect(close(Statistics.percentile(x, p), expected, relative: 1e-12, absolute: 1e-15), "p=\(p) n=\(n)")
        }
        for confidence in [0.5, 0.95, 0.99] {
            let k = Int(Double(n - 1) * (1 - confidence))
            let expected = sorted.prefix(k + 1).reduce(0, +) / Double(k + 1)
            #expect(close(try Risk.conditionalValueAtRisk(x, confidence: confidence), expected, relative: 1e-12, absolute: 1e-15))
        }
    }
}
