extension Indicators {
    /// Wilder's RSI (0...100). Average gain and loss are seeded with the simple mean of the first
    /// `window` changes and then smoothed with α = 1/window; NaN for the first `window` bars.
    /// 100 when there was no loss in the averaging.
    public static func rsi(_ close: [Double], window: Int = 14) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window)
        try Validation.requireFinite(close, name: "close")
        let n = close.count
        var gains = [Double](repeating: 0, count: n)
        var losses = gains
        for i in 1..<max(n, 1) {
            let d = close[i] - close[i - 1]
            if d > 0 { gains[i] = d } else if d < 0 { losses[i] = -d }
        }
        let alpha = 1 / Double(window)
        let ag = smoothed(gains, from: 1, window: window, alpha: alpha)
        let al = smoothed(losses, from: 1, window: window, alpha: alpha)
        return (0..<n).map { i in
            guard !ag[i].isNaN else { return .nan }
            return al[i] == 0 ? 100 : 100 - 100 / (1 + ag[i] / al[i])
        }
    }

    /// MACD with the usual 12/26/9 defaults (EMAs seeded as `ema`).
    public static func macd(_ close: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9) throws(QuantError) -> MACD {
        guard fast < slow else { throw .invalidArgument(name: "fast", reason: "must be less than slow (\(slow)), got \(fast)") }
        let line = try zip(ema(close, window: fast), ema(close, window: slow)).map { $0 - $1 }
        var sig = [Double](repeating: .nan, count: close.count)
        if close.count >= slow {
            let tail = Array(line[(slow - 1)...])
            let s = smoothed(tail, from: 0, window: signal, alpha: 2 / (Double(signal) + 1))
            for (k, v) in s.enumerated() { sig[slow - 1 + k] = v }
        }
        return MACD(macd: line, signal: sig, histogram: zip(line, sig).map { $0 - $1 })
    }

    /// Bollinger bands over `window` with width `k` standard deviations.
    public static func bollinger(_ close: [Double], window: Int = 20, k: Double = 2) throws(QuantError) -> BollingerBands {
        let mid = try sma(close, window: window)
        let sd = try rollingStandardDeviation(close, window: window, ddof: 0)
        return BollingerBands(
            middle: mid, upper: zip(mid, sd).map { $0 + k * $1 }, lower: zip(mid, sd).map { $0 - k * $1 })
    }

    /// Wilder's average true range. True range is high − low on the first bar and
    /// max(high − low, |high − prev close|, |low − prev close|) after; the average is seeded with
    /// the mean of the first `window` true ranges (NaN before index `window − 1`).
    public static func atr(high: [Double], low: [Double], close: [Double], window: Int = 14) throws(QuantError) -> [Double] {
        try Validation.requireWindow(window)
        guard high.count == close.count else { throw .lengthMismatch(what: "high", expected: close.count, actual: high.count) }
        guard low.count == close.count else { throw .lengthMismatch(what: "low", expected: close.count, actual: low.count) }
        try Validation.requireFinite(high, name: "high")
        try Validation.requireFinite(low, name: "low")
        try Validation.requireFinite(close, name: "close")
        let tr = close.indices.map { i in
            i == 0
                ? high[0] - low[0]
                : max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
        }
        return smoothed(tr, from: 0, window: window, alpha: 1 / Double(window))
    }
}
