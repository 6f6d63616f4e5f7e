/// Backtests a portfolio strategy on several symbols' common bars.
///
/// Rules: target weights are decided on a bar's close from data up to that close and filled at
/// the next bar's open, like the single-symbol backtester; a decision on the last bar is not
/// filled. The first decision is on the first bar whose weights are defined (bar 0, or bar
/// `lookback` for inverse volatility); later ones on the schedule's bars and, for signal
/// portfolios, on every bar where some symbol's position changes. A fill moves every symbol to
/// wᵢ·(E − C) at the open, E the equity at the open, with fractional shares; C, the cost, is
/// (commission + slippage bps / 10 000) × Σ |traded value|, solved exactly (C appears on both
/// sides). What is not invested stays in cash, at no interest.
public enum PortfolioBacktester {
    /// Runs `strategy` on `universe`.
    public static func run(
        _ universe: PortfolioUniverse, strategy: PortfolioStrategy,
        configuration: BacktestConfiguration = BacktestConfiguration(),
        benchmark: (timestamps: [Int64], prices: [Double])? = nil
    ) throws(QuantError) -> PortfolioResult {
        let config = try configuration.validated()
        for s in universe.series {
            try Validation.requireFinite(s.open, name: "open")
            try Validation.requireFinite(s.close, name: "close")
            for (i, p) in s.open.enumerated() where p <= 0 { throw .invalidArgument(name: "open", reason: "must be positive (row \(i))") }
            for (i, p) in s.close.enumerated() where p <= 0 { throw .invalidArgument(name: "close", reason: "must be positive (row \(i))") }
        }
        let sim = simulate(universe, strategy: strategy, config: config)
        let metrics = try PerformanceMetrics(
            timestamps: universe.timestamps, values: sim.equity, benchmark: benchmark, periodsPerYear: config.periodsPerYear)
        return PortfolioResult(
            strategy: strategy, configuration: config, symbols: universe.symbols, timestamps: universe.timestamps,
            cash: sim.cash, equity: sim.equity, grossExposure: sim.gross, rebalances: sim.rebalances,
            finalShares: sim.shares, metrics: metrics, lastCloses: universe.series.map { $0.close[universe.count - 1] })
    }

    /// The positions (1, 0, −1) each symbol's signal asks for after each bar.
    static func positions(_ universe: PortfolioUniverse, _ inner: Strategy, canShort: Bool) -> [[Double]] {
        universe.series.map { s in
            var state = 0.0
            return inner.signals(for: s).map { signal in
                switch signal {
                case .hold: break
                case .long: state = 1
                case .flat: state = 0
                case .short: state = canShort ? -1 : 0
                }
                return state
            }
        }
    }

    /// The target weights decided on bar `t`'s close, nil where undefined.
    static func weights(
        at t: Int, _ universe: PortfolioUniverse, _ weighting: PortfolioStrategy.Weighting, positions: [[Double]]
    ) -> [Double]? {
        let m = Double(universe.symbols.count)
        switch weighting {
        case .equal:
            return [Double](repeating: 1 / m, count: universe.symbols.count)
        case .inverseVolatility(let lookback):
            guard t >= lookback else { return nil }
            var inverse: [Double] = []
            for s in universe.series {
                let r = (t - lookback + 1...t).map { s.close[$0] / s.close[$0 - 1] - 1 }
                let sd = Statistics.standardDeviation(r, ddof: 1)
                guard sd > 0, sd.isFinite else { return nil }
                inverse.append(1 / sd)
            }
            let total = inverse.reduce(0, +)
            return inverse.map { $0 / total }
        case .signal:
            return positions.map { $0[t] / m }
        }
    }

    /// The cost C of moving holdings `h` to wᵢ·(E − C) at `rate` per traded value: the fixed
    /// point of C = rate·Σ|wᵢ(E − C) − hᵢ|, a contraction (rate·Σ|wᵢ| < 1).
    static func cost(equity e: Double, holdings h: [Double], weights w: [Double], rate: Double) -> Double {
        guard rate > 0 else { return 0 }
        var c = 0.0
        for _ in 0..<200 {
            var traded = 0.0
            for i in h.indices { traded += abs(w[i] * (e - c) - h[i]) }
            let next = rate * traded
            if abs(next - c) <= 1e-15 * max(abs(e), 1) { return next }
            c = next
        }
        return c
    }

    /// The bar-by-bar simulation: cash, equity and gross exposure per bar, the rebalances, the final shares.
    static func simulate(_ u: PortfolioUniverse, strategy: PortfolioStrategy, config: BacktestConfiguration) -> (
        cash: [Double], equity: [Double], gross: [Double], rebalances: [PortfolioResult.Rebalance], shares: [Double]
    ) {
        let n = u.count
        let m = u.symbols.count
        let rate = config.commission + config.slippageBasisPoints / 10_000
        var positions: [[Double]] = []
        if case .signal(let inner) = strategy.weighting {
            positions = Self.positions(u, inner, canShort: config.allowShort && inner.descriptor.supportsShort)
        }
        var shares = [Double](repeating: 0, count: m)
        var cash = config.cash
        var cashColumn = [Double](repeating: 0, count: n)
        var equity = cashColumn
        var gross = cashColumn
        var rebalances: [PortfolioResult.Rebalance] = []
        var pending: [Double]?
        var first: Int?
        for t in 0..<n {
            if let w = pending {
                let open = u.series.map { $0.open[t] }
                let holdings = (0..<m).map { shares[$0] * open[$0] }
                let e = cash + holdings.reduce(0, +)
                let c = cost(equity: e, holdings: holdings, weights: w, rate: rate)
                var traded = 0.0
                var invested = 0.0
                for i in 0..<m {
                    let value = w[i] * (e - c)
                    traded += abs(value - holdings[i])
                    invested += value
                    shares[i] = value / open[i]
                }
                cash = e - c - invested
                rebalances.append(.init(bar: t, time: u.timestamps[t], weights: w, tradedValue: traded, cost: c, shares: shares, prices: open))
                pending = nil
            }
            var value = 0.0
            var absolute = 0.0
            for i in 0..<m {
                let v = shares[i] * u.series[i].close[t]
                value += v
                absolute += abs(v)
            }
            cashColumn[t] = cash
            equity[t] = cash + value
            gross[t] = equity[t] != 0 ? absolute / equity[t] : 0
            guard t + 1 < n else { break }
            let due: Bool
            if let f = first {
                let changed = !positions.isEmpty && positions.contains { $0[t] != $0[t - 1] }
                due = changed || strategy.schedule.isDue(time: u.timestamps[t], next: u.timestamps[t + 1], sinceFirst: t - f)
            } else {
                due = true
            }
            if due, let w = weights(at: t, u, strategy.weighting, positions: positions) {
                pending = w
                if first == nil { first = t }
            }
        }
        return (cashColumn, equity, gross, rebalances, shares)
    }
}
