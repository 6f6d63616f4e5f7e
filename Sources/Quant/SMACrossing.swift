/// Signals the simulation reads one bar at a time, in bar order.
protocol SignalStream {
    /// The signal after bar `i`'s close; asked for i = 0, 1, 2… in order.
    mutating func signal(at i: Int) -> Signal
}

/// The signals of an array (`.hold` past its end).
struct SignalArray: SignalStream {
    /// The signals.
    let signals: [Signal]

    @inline(__always)
    func signal(at i: Int) -> Signal {
        signals.withUnsafeBufferPointer { i < $0.count ? $0[i] : .hold }
    }
}

/// The SMA crossover's signals, computed as they are read: `.long` where the fast SMA moves
/// from strictly below the slow one to strictly above it, `.short` for the opposite move.
///
/// Two independent compensated (Kahan) running sums, bit-identical to `Indicators.sma`: exact
/// ties between the averages, common with decimal prices, must stay ties as in pandas. The
/// sums are a chain of dependent additions; read inside the simulation's loop, the fills and
/// the equity of each bar run in the chain's shadow instead of in a pass of their own.
struct SMACrossing: SignalStream {
    private let x: [Double]
    private let fast: Int, slow: Int
    private let active: Bool
    private var sf = 0.0, cf = 0.0, ss = 0.0, cs = 0.0
    private var prevFast = 0.0, prevSlow = 0.0

    /// The crossings of the `fast`- and `slow`-bar SMAs of `x` (all `.hold` unless
    /// 1 ≤ fast < slow < count).
    init(_ x: [Double], fast: Int, slow: Int) {
        self.x = x
        self.fast = fast
        self.slow = slow
        active = x.count > slow && fast >= 1 && fast < slow
        guard active else { return }
        // Warm up exactly as `Indicators.smaUnchecked`: the first `window` values, then add/remove pairs.
        x.withUnsafeBufferPointer { p in
            for i in 0..<fast { Statistics.compensatedAdd(p[i], to: &sf, &cf) }
            for i in fast..<slow {
                Statistics.compensatedAdd(p[i], to: &sf, &cf)
                Statistics.compensatedAdd(-p[i - fast], to: &sf, &cf)
            }
            for i in 0..<slow { Statistics.compensatedAdd(p[i], to: &ss, &cs) }
        }
        prevFast = sf / Double(fast)
        prevSlow = ss / Double(slow)
    }

    @inline(__always)
    mutating func signal(at i: Int) -> Signal {
        guard active, i >= slow else { return .hold }
        let (new, oldFast, oldSlow) = x.withUnsafeBufferPointer { p in (p[i], p[i - fast], p[i - slow]) }
        Statistics.compensatedAdd(new, to: &sf, &cf)
        Statistics.compensatedAdd(new, to: &ss, &cs)
        Statistics.compensatedAdd(-oldFast, to: &sf, &cf)
        Statistics.compensatedAdd(-oldSlow, to: &ss, &cs)
        let f = sf / Double(fast)
        let s = ss / Double(slow)
        defer {
            prevFast = f
            prevSlow = s
        }
        if prevFast < prevSlow && f > s { return .long }
        if prevFast > prevSlow && f < s { return .short }
        return .hold
    }
}
