import Testing

@testable import Quant

/// The shared-pass metric set (`ReturnMetrics`) against the separate functions, bit for bit,
/// and the one-pass drawdown figures against the definitions they replace.
@Suite struct ReturnMetricsTests {
    /// Same bits, or both NaN.
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }

    /// Seeded returns of a given shape.
    static func returns(_ shape: String, count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        return (0..<count).map { i in
            switch shape {
            case "minute": return (uniform() - 0.5) * 0.002
            case "daily": return (uniform() - 0.48) * 0.06
            case "sparse": return uniform() < 0.9 ? 0 : (uniform() - 0.5) * 0.02  // an equity curve mostly flat
            case "zeros": return 0
            case "constant": return 0.001
            case "rising": return 0.0001 + uniform() * 0.001
            case "wide": return (uniform() - 0.5) * 1.9  // returns near −95 %, many buckets apart
            case "tiny": return (uniform() - 0.5) * 1e-300
            case "ruin": return i == count / 2 ? -1 : (uniform() - 0.5) * 0.01  // wealth reaches 0
            case "nan": return i == count / 3 ? .nan : (uniform() - 0.5) * 0.01
            default: return (uniform() - 0.5) * 0.02
            }
        }
    }

    static let shapes = ["minute", "daily", "sparse", "zeros", "constant", "rising", "wide", "tiny", "ruin", "nan"]
    static let counts = [0, 1, 2, 63, 64, 65, 1_001, 4_096, 4_099, 200_003]

    @Test(arguments: shapes)
    func equalsTheSeparateFunctionsBitForBit(shape: String) throws {
        for (k, count) in Self.counts.enumerated() {
            let r = Self.returns(shape, count: count, seed: UInt64(k + 1))
            let f = Self.returns("daily", count: count, seed: UInt64(k + 100))
            for ppy in [252.0, 98_280] {
                let m = try ReturnMetrics(returns: r, benchmark: f, periodsPerYear: ppy)
                let expected: [(String, Double)] = [
                    ("cumulative", Metrics.cumulativeReturn(r)), ("annual", Metrics.annualReturn(r, periodsPerYear: ppy)),
                    ("volatility", Metrics.annualVolatility(r, periodsPerYear: ppy)),
                    ("sharpe", Metrics.sharpeRatio(r, periodsPerYear: ppy)), ("sortino", Metrics.sortinoRatio(r, periodsPerYear: ppy)),
                    ("calmar", Metrics.calmarRatio(r, periodsPerYear: ppy)), ("mdd", Metrics.maxDrawdown(r)),
                    ("omega", Metrics.omegaRatio(r)), ("tail", Metrics.tailRatio(r)), ("stability", Metrics.stability(r)),
                    ("downside", Metrics.downsideRisk(r, periodsPerYear: ppy)), ("var", try Risk.valueAtRisk(r, confidence: 0.95)),
                    ("cvar", try Risk.conditionalValueAtRisk(r, confidence: 0.95)),
                    ("alpha", try Metrics.alpha(r, benchmark: f, periodsPerYear: ppy)), ("beta", try Metrics.beta(r, benchmark: f)),
                    ("ir", try Metrics.informationRatio(r, benchmark: f)),
                ]
                let actual = [
                    m.cumulativeReturn, m.annualReturn, m.annualVolatility, m.sharpe, m.sortino, m.calmar, m.maxDrawdown, m.omega,
                    m.tailRatio, m.stability, m.downsideRisk, m.valueAtRisk95, m.conditionalValueAtRisk95, m.alpha ?? 42, m.beta ?? 42,
                    m.informationRatio ?? 42,
                ]
                for ((name, e), a) in zip(expected, actual) {
                    #expect(Self.same(a, e), "\(shape) n=\(count) ppy=\(ppy) \(name): \(a) vs \(e)")
                }
            }
            let plain = try ReturnMetrics(returns: r)
            #expect(plain.alpha == nil && plain.beta == nil && plain.informationRatio == nil)
        }
    }

    @Test func theSharedTailPassRunsOnTypicalReturns() throws {
        // Minute-sized returns put the 5th and 95th percentiles and the CVaR cut in at most two
        // buckets: the one-pass path (not the fallback) is what the equality above checked.
        let r = Self.returns("minute", count: 200_003, seed: 1)
        let shared = try #require(r.withUnsafeBufferPointer { RadixSelection.percentilesAndLowestSum([95, 5], lowest: 10_001, of: $0) })
        #expect(Self.same(shared.percentiles[0], Statistics.percentile(r, 95)))
        #expect(Self.same(shared.lowestSum, r.withUnsafeBufferPointer { RadixSelection.lowestSum(10_001, of: $0) }))
    }

    @Test func refusesABenchmarkOfAnotherLength() {
        #expect(throws: QuantError.self) { try ReturnMetrics(returns: [0.01, 0.02], benchmark: [0.01]) }
    }

    @Test(arguments: MetricsTests.cases)
    func matchesEmpyrical(csv: String, fixture: String) throws {
        let r = try Metrics.simpleReturns(try Fixtures.series(csv).close)
        let ref = try Fixtures.json(fixture)
        let m = try ReturnMetrics(returns: r, periodsPerYear: number(ref["annualization"]))
        let checks: [(String, Double)] = [
            ("cumulative_return", m.cumulativeReturn), ("annual_return", m.annualReturn), ("annual_volatility", m.annualVolatility),
            ("sharpe", m.sharpe), ("sortino", m.sortino), ("calmar", m.calmar), ("max_drawdown", m.maxDrawdown), ("omega", m.omega),
            ("tail_ratio", m.tailRatio), ("stability", m.stability), ("downside_risk", m.downsideRisk),
            ("var_historical_95", m.valueAtRisk95), ("cvar_95", m.conditionalValueAtRisk95),
        ]
        for (name, value) in checks {
            #expect(close(value, number(ref[name])), "\(fixture) \(name): \(value) vs \(number(ref[name]))")
        }
    }

    /// The drawdown figures as the definition computes them: the whole wealth and drawdown curves.
    static func drawdownByDefinition(_ r: [Double]) -> (maxDrawdown: Double, peak: Int, trough: Int, recovery: Int?, duration: Int)? {
        guard !r.isEmpty else { return nil }
        var wealth = [Double](repeating: 1, count: r.count + 1)
        for i in r.indices { wealth[i + 1] = wealth[i] * (1 + r[i]) }
        var peakValue = -Double.infinity
        var under = [Double](repeating: 0, count: wealth.count)
        var trough = 0
        for i in wealth.indices {
            if wealth[i] > peakValue { peakValue = wealth[i] }
            under[i] = wealth[i] / peakValue - 1
            if under[i] < under[trough] { trough = i }
        }
        var peak = 0
        for i in stride(from: trough - 1, through: 0, by: -1) where under[i] == 0 {
            peak = i
            break
        }
        let recovery = (trough..<wealth.count).first { under[$0] == 0 }
        return (under[trough], peak, trough, recovery, (recovery ?? (wealth.count - 1)) - peak)
    }

    @Test(arguments: shapes)
    func drawdownInfoEqualsTheDefinition(shape: String) {
        for (k, count) in Self.counts.enumerated() {
            var r = Self.returns(shape, count: count, seed: UInt64(k + 7))
            let expected = Self.drawdownByDefinition(r)
            let actual = DrawdownInfo(returns: r)
            #expect(actual?.peak == expected?.peak && actual?.trough == expected?.trough, "\(shape) n=\(count)")
            #expect(actual?.recovery == expected?.recovery && actual?.duration == expected?.duration, "\(shape) n=\(count)")
            #expect(Self.same(actual?.maxDrawdown, expected?.maxDrawdown), "\(shape) n=\(count)")
            // A curve that falls, recovers exactly and falls deeper later.
            if count >= 4 {
                r[0] = -0.5
                r[1] = 1
                r[count - 1] = -0.9
                let e = Self.drawdownByDefinition(r)
                let a = DrawdownInfo(returns: r)
                #expect(a?.peak == e?.peak && a?.trough == e?.trough && a?.recovery == e?.recovery, "\(shape) n=\(count) twice")
            }
        }
    }

    /// Flat stretches at the trough with falls of an ulp or two between them (the rows the scan
    /// skips under the trough's peak sit right next to the rows it must not skip), after a rise
    /// to a new peak and with ties of the drawdown between distinct wealths.
    @Test func drawdownInfoEqualsTheDefinitionOnFlatTroughs() {
        var rng = SplitMix64(seed: 29)
        for count in [64, 1_001, 20_000] {
            var r = [Double](repeating: 0, count: count)
            for i in r.indices {
                switch rng.next() % 8 {
                case 0: r[i] = -0x1p-53  // wealth one ulp lower (or the same, rounded)
                case 1: r[i] = -0x1p-52
                case 2: r[i] = 0x1p-52
                case 3: r[i] = i == count / 2 ? 0.5 : -3e-16  // a new peak midway
                default: r[i] = 0  // flat
                }
            }
            let expected = Self.drawdownByDefinition(r)
            let actual = DrawdownInfo(returns: r)
            #expect(actual?.peak == expected?.peak && actual?.trough == expected?.trough, "n=\(count)")
            #expect(actual?.recovery == expected?.recovery && actual?.duration == expected?.duration, "n=\(count)")
            #expect(Self.same(actual?.maxDrawdown, expected?.maxDrawdown), "n=\(count)")
        }
    }

    /// TradeMaster's one pass: Σ(r − mean)² bit for bit `Statistics.squaredDeviations`', and the
    /// negatives' count and sum as its two-lane loop (even and odd positions, the last odd one
    /// into the even lane) adds them, for every remainder of the count modulo 4.
    @Test func squaresAndNegativesEqualTheSeparatePasses() {
        for count in [0, 1, 2, 3, 4, 5, 6, 7, 9, 64, 1_001, 1_002, 4_099] {
            let r = Self.returns("minute", count: count, seed: UInt64(count) + 5)
            let mean = r.isEmpty ? 0 : r.reduce(0, +) / Double(r.count)
            let pass = r.withUnsafeBufferPointer { TradeMasterMetrics.squaresAndNegatives($0, mean: mean) }
            let squares = r.withUnsafeBufferPointer { Statistics.squaredDeviations($0, mean: mean) }
            #expect(Self.same(pass.squaredDeviations, squares), "n=\(count)")
            var even = 0.0
            var odd = 0.0
            for (i, v) in r.enumerated() where v < 0 {
                if i % 2 == 0 { even += v } else { odd += v }
            }
            #expect(pass.negativeCount == r.filter { $0 < 0 }.count, "n=\(count)")
            #expect(Self.same(pass.negativeSum, even + odd), "n=\(count): \(pass.negativeSum) vs \(even + odd)")
        }
    }

    /// TradeMaster's drawdown as it defines it: the running peak at every value.
    static func tradeMasterDrawdownByDefinition(_ a: [Double]) -> Double {
        var peak = -Double.infinity
        var mdd = -Double.infinity
        for v in a {
            peak = max(peak, v)
            mdd = max(mdd, (peak - v) / peak)
        }
        return mdd
    }

    @Test func tradeMasterDrawdownEqualsTheDefinition() throws {
        var rng = SplitMix64(seed: 3)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var cases: [[Double]] = [[1], [0], [-1], [5, 5, 5], [1, 0, 2, -1, 3], [-3, -2, -5, -1, 0, 4, 1], [0, 0, 1, 0], [1e-300, 1e300, 1]]
        for count in [10, 1_000, 100_000] {
            var v = 100.0
            cases.append(
                (0..<count).map { _ in
                    v *= 1 + (uniform() - 0.5) * 0.02
                    return v
                })
            cases.append((0..<count).map { _ in (uniform() - 0.6) * 100 })  // negative and zero-crossing equity
        }
        // New peaks inside and across blocks of four, after a stretch below the peak.
        cases += [[1, 2, 1, 1, 1, 3, 0.5, 4, 1, 1, 1, 1, 1, 1, 0.25, 5, 1], [-1, -2, -3, -4, -5, 1, 0, 0, 0, 0, 0, 2, 1]]
        for a in cases {
            let actual = a.withUnsafeBufferPointer(TradeMasterMetrics.maxDrawdown)
            let expected = Self.tradeMasterDrawdownByDefinition(a)
            #expect(Self.same(actual, expected), "\(a.prefix(8))")
            // The same number from the returns' pass (four lanes of minima between peaks).
            let (returns, fused) = try Metrics.simpleReturnsAndTradeMasterDrawdown(a)
            #expect(Self.same(fused, expected), "fused \(a.prefix(8)): \(fused) vs \(expected)")
            let separate = try Metrics.simpleReturns(a)
            #expect(returns.count == separate.count && zip(returns, separate).allSatisfy { Self.same($0, $1) })
        }
    }
}
