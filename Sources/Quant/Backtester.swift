/// Runs a strategy's signals over a series under `BacktestConfiguration`'s rules.
///
/// Rules: a signal on bar t's close fills at bar t+1's open; a signal on the last bar is not
/// executed; a reversal closes the position and then opens the new one at the same open, sized
/// on the cash after the close; the open position is marked to market at every close and is
/// reported as open at the end, not force-closed. Signals equal to the current position do
/// nothing. These are backtesting.py's rules with `trade_on_close=False`, `exclusive_orders=True`
/// and `finalize_trades=False`.
public enum Backtester {
    /// Backtests `strategy` on a single-instrument `series`.
    public static func run(
        _ series: OHLCVSeries, strategy: Strategy,
        configuration: BacktestConfiguration = BacktestConfiguration(),
        benchmark: (timestamps: [Int64], prices: [Double])? = nil
    ) throws(QuantError) -> BacktestResult {
        let config = try checked(series, configuration)
        let canShort = config.allowShort && strategy.descriptor.supportsShort
        let (curve, trades) = simulate(series, strategy: strategy, config: config, canShort: canShort)
        let metrics = try PerformanceMetrics(
            timestamps: curve.timestamps, values: curve.equity, benchmark: benchmark,
            periodsPerYear: config.periodsPerYear)
        return BacktestResult(
            strategy: strategy, configuration: config, equity: curve, trades: trades,
            summary: BacktestSummary(trades: trades, curve: curve, startingCash: config.cash),
            metrics: metrics)
    }

    /// The equity curve and trades only, without the summary and metrics (the cheap path for
    /// callers that need just the simulation, e.g. parameter sweeps).
    public static func simulate(
        _ series: OHLCVSeries, strategy: Strategy, configuration: BacktestConfiguration = BacktestConfiguration()
    ) throws(QuantError) -> (equity: EquityCurve, trades: [Trade]) {
        let config = try checked(series, configuration)
        let canShort = config.allowShort && strategy.descriptor.supportsShort
        return simulate(series, strategy: strategy, config: config, canShort: canShort)
    }

    /// The simulation of `strategy`'s signals; an SMA crossover's are computed as the loop reads them.
    static func simulate(
        _ s: OHLCVSeries, strategy: Strategy, config: BacktestConfiguration, canShort: Bool
    ) -> (EquityCurve, [Trade]) {
        if let (fast, slow) = strategy.smaWindows {
            return simulate(s, signals: SMACrossing(s.close, fast: fast, slow: slow), config: config, canShort: canShort)
        }
        return simulate(s, signals: strategy.signals(for: s), config: config, canShort: canShort)
    }

    /// The simulation of an array of signals.
    static func simulate(
        _ s: OHLCVSeries, signals: [Signal], config: BacktestConfiguration, canShort: Bool
    ) -> (EquityCurve, [Trade]) {
        simulate(s, signals: SignalArray(signals: signals), config: config, canShort: canShort)
    }

    /// The validated configuration; throws for a series of several symbols or with a price that is not finite.
    private static func checked(_ series: OHLCVSeries, _ configuration: BacktestConfiguration) throws(QuantError) -> BacktestConfiguration {
        let config = try configuration.validated()
        if series.distinctSymbols.count > 1 {
            throw .invalidArgument(name: "series", reason: "holds \(series.distinctSymbols.count) symbols; backtest one symbol at a time")
        }
        // The columns are public and may have been replaced since the series was built: the
        // simulation reads open and close at every bar index, unchecked.
        guard series.open.count == series.count else {
            throw .lengthMismatch(what: "open", expected: series.count, actual: series.open.count)
        }
        guard series.close.count == series.count else {
            throw .lengthMismatch(what: "close", expected: series.count, actual: series.close.count)
        }
        try Validation.requireFinite(series.open, name: "open")
        try Validation.requireFinite(series.close, name: "close")
        return config
    }

    /// Python's float floor division (`a // b`), exact where ⌊a / b⌋ may round wrongly.
    @inline(__always)
    static func floorDivide(_ a: Double, _ b: Double) -> Double {
        // The usual case without `fmod`: for positive a and b, when the rounded quotient q is
        // below 2⁵⁰ and not an integer, the exact quotient lies strictly between ⌊q⌋ and ⌊q⌋ + 1
        // (both representable, and rounding is monotone), so ⌊q⌋ is its floor, which is also
        // Python's result (its quotient of the remainder-free part errs by far less than ½ there).
        let q = a / b
        if a > 0, b > 0, q < 0x1p50 {
            let floor = q.rounded(.down)
            if floor != q { return floor }
        }
        return pythonFloorDivide(a, b)
    }

    /// CPython's `float_floor_div`, step by step.
    static func pythonFloorDivide(_ a: Double, _ b: Double) -> Double {
        var mod = a.truncatingRemainder(dividingBy: b)
        var div = (a - mod) / b
        if mod != 0, (b < 0) != (mod < 0) {
            mod += b
            div -= 1
        }
        guard div != 0 else { return 0 }
        var floor = div.rounded(.down)
        if div - floor > 0.5 { floor += 1 }
        return floor
    }

    /// The bar-by-bar simulation.
    static func simulate<Signals: SignalStream>(
        _ s: OHLCVSeries, signals: Signals, config: BacktestConfiguration, canShort: Bool
    ) -> (EquityCurve, [Trade]) {
        let n = s.count
        var trades: [Trade] = []
        var sharesColumn: [Int] = []
        var equityColumn: [Double] = []
        // The columns are written once each, in place (no zero fill, no per-store array checks).
        let cashColumn = [Double](unsafeUninitializedCapacity: n) { cashOut, cashCount in
            sharesColumn = [Int](unsafeUninitializedCapacity: n) { sharesOut, sharesCount in
                equityColumn = [Double](unsafeUninitializedCapacity: n) { equityOut, equityCount in
                    trades = fill(s, signals, config: config, canShort: canShort, cash: cashOut, shares: sharesOut, equity: equityOut)
                    equityCount = n
                }
                sharesCount = n
            }
            cashCount = n
        }
        let curve = EquityCurve(timestamps: s.timestamps, cash: cashColumn, shares: sharesColumn, equity: equityColumn)
        return (curve, trades)
    }

    /// The fills of every bar into the columns (of the series' length), and the trades. The
    /// state is local (in registers, not in a closure's captures): the SMA crossover's signal
    /// chain and the fills then run side by side.
    private static func fill<Signals: SignalStream>(
        _ s: OHLCVSeries, _ signals: Signals, config: BacktestConfiguration, canShort: Bool,
        cash cashOut: UnsafeMutableBufferPointer<Double>, shares sharesOut: UnsafeMutableBufferPointer<Int>,
        equity equityOut: UnsafeMutableBufferPointer<Double>
    ) -> [Trade] {
        let n = s.count
        let c = config.commission
        let slip = config.slippageBasisPoints / 10_000
        var signals = signals
        var trades: [Trade] = []
        var cash = config.cash
        var position = 0
        var entryBar = 0
        var entryPrice = 0.0
        var entryCommission = 0.0
        s.open.withUnsafeBufferPointer { open in
            s.close.withUnsafeBufferPointer { close in
                for i in 0..<n {
                    if i > 0 {
                        let target: Int
                        switch signals.signal(at: i - 1) {
                        case .hold: target = position.signum()
                        case .long: target = 1
                        case .flat: target = 0
                        case .short: target = canShort ? -1 : 0
                        }
                        if target != position.signum() {
                            if position != 0 {
                                // Close: a long sells below the open, a short buys above it.
                                let price = position > 0 ? open[i] * (1 - slip) : open[i] * (1 + slip)
                                let fee = Double(abs(position)) * price * c
                                cash += Double(position) * price - fee
                                let pnl = Double(position) * (price - entryPrice) - entryCommission - fee
                                // The times are filled in after the loop (see below).
                                trades.append(
                                    Trade(
                                        entryBar: entryBar, exitBar: i, entryTime: 0,
                                        exitTime: 0, entryPrice: entryPrice, exitPrice: price,
                                        shares: position, profit: pnl,
                                        returnFraction: pnl / (entryPrice * Double(abs(position))),
                                        barsHeld: i - entryBar, commission: entryCommission + fee))
                                position = 0
                            }
                            if target != 0 {
                                let price = target > 0 ? open[i] * (1 + slip) : open[i] * (1 - slip)
                                let available = max(0, cash)
                                let size = floorDivide(available, price + price * c)
                                if size >= 1, size < Double(Int.max) {
                                    let q = Int(size) * target
                                    let fee = Double(abs(q)) * price * c
                                    cash -= Double(q) * price + fee
                                    position = q
                                    entryBar = i
                                    entryPrice = price
                                    entryCommission = fee
                                }
                            }
                        }
                    }
                    cashOut[i] = cash
                    sharesOut[i] = position
                    equityOut[i] = cash + Double(position) * close[i]
                }
            }
        }
        // The closed trades' times, read after the loop: two reads of the (cold) timestamps per
        // trade inside it stalled the SMA chains behind each cache miss; here they overlap.
        s.timestamps.withUnsafeBufferPointer { times in
            trades.withUnsafeMutableBufferPointer { closed in
                for k in closed.indices {
                    closed[k].entryTime = times[closed[k].entryBar]
                    closed[k].exitTime = times[closed[k].exitBar ?? closed[k].entryBar]
                }
            }
        }
        if position != 0, n > 0 {
            let last = s.close[n - 1]
            let pnl = Double(position) * (last - entryPrice) - entryCommission
            trades.append(
                Trade(
                    entryBar: entryBar, exitBar: nil, entryTime: s.timestamps[entryBar], exitTime: nil,
                    entryPrice: entryPrice, exitPrice: last, shares: position, profit: pnl,
                    returnFraction: pnl / (entryPrice * Double(abs(position))), barsHeld: n - 1 - entryBar,
                    commission: entryCommission))
        }
        return trades
    }
}
