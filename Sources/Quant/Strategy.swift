/// A validated strategy: a descriptor and a value for each of its parameters.
///
/// Build one through `StrategyRegistry.strategy(named:parameters:)`, which validates.
public struct Strategy: Sendable, Equatable {
    /// What it is.
    public let descriptor: StrategyDescriptor
    /// Every parameter's value (defaults filled in).
    public let parameters: [String: Double]

    /// A strategy from already validated parameters (the registry's job).
    init(descriptor: StrategyDescriptor, parameters: [String: Double]) {
        self.descriptor = descriptor
        self.parameters = parameters
    }

    /// The strategy's name.
    public var name: String { descriptor.name }

    /// An integer parameter's value.
    func int(_ name: String) -> Int { Int(parameters[name] ?? 0) }
    /// A real parameter's value.
    func real(_ name: String) -> Double { parameters[name] ?? 0 }

    /// The signal after each bar's close (same length as the series).
    public func signals(for series: OHLCVSeries) -> [Signal] {
        let close = series.close
        switch descriptor.name {
        case "sma_crossover":
            return Self.smaCrossovers(close, fast: int("fast"), slow: int("slow"))
        case "ema_crossover":
            let fast = int("fast")
            let slow = int("slow")
            return Self.crossovers(
                Indicators.smoothed(close, from: 0, window: fast, alpha: 2 / (Double(fast) + 1)),
                Indicators.smoothed(close, from: 0, window: slow, alpha: 2 / (Double(slow) + 1)))
        case "bollinger_reversion":
            let window = int("window")
            let k = real("k")
            let mid = Indicators.smaUnchecked(close, window: window)
            var out = [Signal](repeating: .hold, count: close.count)
            close.withUnsafeBufferPointer { p in
                guard p.count >= window else { return }
                for end in window...p.count {
                    let i = end - 1
                    let sd = Statistics.standardDeviation(UnsafeBufferPointer(rebasing: p[(end - window)..<end]), ddof: 0)
                    if p[i] < mid[i] - k * sd { out[i] = .long } else if p[i] > mid[i] + k * sd { out[i] = .short }
                }
            }
            return out
        case "rsi_reversion":
            let rsi = (try? Indicators.rsi(close, window: int("window"))) ?? []
            let lower = real("lower")
            let upper = real("upper")
            return rsi.map { $0 < lower ? .long : ($0 > upper ? .short : .hold) }
        case "momentum":
            let roc = (try? Indicators.rateOfChange(close, period: int("lookback"))) ?? []
            let threshold = real("threshold")
            return roc.map { $0 > threshold ? .long : ($0 < -threshold ? .short : .hold) }
        default:  // buy_and_hold
            var out = [Signal](repeating: .hold, count: close.count)
            if !out.isEmpty { out[0] = .long }
            return out
        }
    }

    /// Crossovers of two SMAs, both computed in one loop (two independent compensated running
    /// sums, bit-identical to `Indicators.sma`: exact ties between the averages, common with
    /// decimal prices, must stay ties as in pandas).
    static func smaCrossovers(_ x: [Double], fast: Int, slow: Int) -> [Signal] {
        let n = x.count
        var out = [Signal](repeating: .hold, count: n)
        guard n > slow, fast >= 1, fast < slow else { return out }
        x.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                var sf = 0.0
                var cf = 0.0
                var ss = 0.0
                var cs = 0.0
                @inline(__always) func addFast(_ v: Double) {
                    let y = v - cf
                    let t = sf + y
                    cf = (t - sf) - y
                    sf = t
                }
                @inline(__always) func addSlow(_ v: Double) {
                    let y = v - cs
                    let t = ss + y
                    cs = (t - ss) - y
                    ss = t
                }
                let wf = Double(fast)
                let ws = Double(slow)
                // Warm up exactly as smaUnchecked: the first `window` values, then add/remove pairs.
                for i in 0..<fast { addFast(p[i]) }
                for i in fast..<slow {
                    addFast(p[i])
                    addFast(-p[i - fast])
                }
                for i in 0..<slow { addSlow(p[i]) }
                var prevFast = sf / wf
                var prevSlow = ss / ws
                for i in slow..<n {
                    addFast(p[i])
                    addSlow(p[i])
                    addFast(-p[i - fast])
                    addSlow(-p[i - slow])
                    let f = sf / wf
                    let s = ss / ws
                    if prevFast < prevSlow && f > s {
                        o[i] = .long
                    } else if prevFast > prevSlow && f < s {
                        o[i] = .short
                    }
                    prevFast = f
                    prevSlow = s
                }
            }
        }
        return out
    }

    /// `.long` where `fast` moves from strictly below `slow` to strictly above it between two
    /// bars, `.short` for the opposite move, `.hold` elsewhere (also during warm-up). Being above
    /// at the start is not a cross. This is backtesting.py's `crossover`.
    public static func crossovers(_ fast: [Double], _ slow: [Double]) -> [Signal] {
        let n = min(fast.count, slow.count)
        var out = [Signal](repeating: .hold, count: n)
        guard n > 1 else { return out }
        fast.withUnsafeBufferPointer { f in
            slow.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 1..<n {
                        // NaN comparisons are false, so warm-up bars never cross.
                        if f[i - 1] < s[i - 1] && f[i] > s[i] {
                            o[i] = .long
                        } else if f[i - 1] > s[i - 1] && f[i] < s[i] {
                            o[i] = .short
                        }
                    }
                }
            }
        }
        return out
    }
}
