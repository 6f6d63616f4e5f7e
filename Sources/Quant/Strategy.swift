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
            let (fast, slow) = smaWindows ?? (0, 0)
            return Self.smaCrossovers(close, fast: fast, slow: slow)
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

    /// The fast and slow windows of an SMA crossover (the backtester computes its signals as it
    /// reads them, see ``SMACrossing``); nil for other strategies.
    var smaWindows: (fast: Int, slow: Int)? {
        descriptor.name == "sma_crossover" ? (int("fast"), int("slow")) : nil
    }

    /// Crossovers of two SMAs (``SMACrossing``'s signals for every bar).
    static func smaCrossovers(_ x: [Double], fast: Int, slow: Int) -> [Signal] {
        var crossing = SMACrossing(x, fast: fast, slow: slow)
        return [Signal](unsafeUninitializedCapacity: x.count) { out, initialized in
            for i in 0..<x.count { out[i] = crossing.signal(at: i) }
            initialized = x.count
        }
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
