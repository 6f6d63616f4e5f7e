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
        let config = try configuration.validated()
        if series.distinctSymbols.count > 1 {
            throw .invalidArgument(name: "series", reason: "holds \(series.distinctSymbols.count) symbols; backtest one symbol at a time")
        }
        try Validation.requireFinite(series.open, name: "open")
        try Validation.requireFinite(series.close, name: "close")
        let signals = strategy.signals(for: series)
        let canShort = config.allowShort && strategy.descriptor.supportsShort
        let (curve, trades) = simulate(series, signals: signals, config: config, canShort: canShort)
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
        let config = try configuration.validated()
        if series.distinctSymbols.count > 1 {
            throw .invalidArgument(name: "series", reason: "holds \(series.distinctSymbols.count) symbols; backtest one symbol at a time")
        }
        try Validation.requireFinite(series.open, name: "open")
        try Validation.requireFinite(series.close, name: "close")
        let canShort = config.allowShort && strategy.descriptor.supportsShort
        return simulate(series, signals: strategy.signals(for: series), config: config, canShort: canShort)
    }

    /// Python's float floor division (`a // b`), exact where ⌊a / b⌋ may round wrongly.
    static func floorDivide(_ a: Double, _ b: Double) -> Double {
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
    static func simulate(
        _ s: OHLCVSeries, signals: [Signal], config: BacktestConfiguration, canShort: Bool
    ) -> (EquityCurve, [Trade]) {
        let n = s.count
        let c = config.commission
        let slip = config.slippageBasisPoints / 10_000
        var cashColumn = [Double](repeating: 0, count: n)
        var sharesColumn = [Int](repeating: 0, count: n)
        var equityColumn = [Double](repeating: 0, count: n)
        var trades: [Trade] = []
        var cash = config.cash
        var position = 0
        var entryBar = 0
        var entryPrice = 0.0
        var entryCommission = 0.0

        s.open.withUnsafeBufferPointer { open in
            s.close.withUnsafeBufferPointer { close in
                signals.withUnsafeBufferPointer { sig in
                    for i in 0..<n {
                        if i > 0 {
                            let target: Int
                            switch sig[i - 1] {
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
                                    trades.append(
                                        Trade(
                                            entryBar: entryBar, exitBar: i, entryTime: s.timestamps[entryBar],
                                            exitTime: s.timestamps[i], entryPrice: entryPrice, exitPrice: price,
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
                        cashColumn[i] = cash
                        sharesColumn[i] = position
                        equityColumn[i] = cash + Double(position) * close[i]
                    }
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
        let curve = EquityCurve(timestamps: s.timestamps, cash: cashColumn, shares: sharesColumn, equity: equityColumn)
        return (curve, trades)
    }
}
