/// The rules of a backtest.
///
/// Orders from bar t's close fill at bar t+1's open. A fill pays `commission` (fraction of the
/// traded value) and `slippageBasisPoints` against the trader (buys fill at open·(1 + s),
/// sells at open·(1 − s), s = bps/10 000), on entries and exits alike. Whole shares only:
/// an entry uses all available cash (equity for a short),
/// shares = ⌊cash / (fill + fill·commission)⌋.
public struct BacktestConfiguration: Sendable, Equatable {
    /// Starting cash.
    public var cash: Double
    /// Commission per side, a fraction of traded value (0.001 = 0.1%).
    public var commission: Double
    /// Slippage per fill in basis points, against the trader.
    public var slippageBasisPoints: Double
    /// Whether exit signals open short positions (only for strategies that support it).
    public var allowShort: Bool
    /// Periods per year for the metrics of the equity curve.
    public var periodsPerYear: Double

    /// Creates a configuration; `validated()` checks it.
    public init(
        cash: Double = 100_000, commission: Double = 0, slippageBasisPoints: Double = 0,
        allowShort: Bool = false, periodsPerYear: Double = Quant.tradingDaysPerYear
    ) {
        self.cash = cash
        self.commission = commission
        self.slippageBasisPoints = slippageBasisPoints
        self.allowShort = allowShort
        self.periodsPerYear = periodsPerYear
    }

    /// Throws `QuantError.invalidArgument` for a value out of range.
    public func validated() throws(QuantError) -> BacktestConfiguration {
        guard cash.isFinite, cash > 0 else { throw .invalidArgument(name: "cash", reason: "must be a positive number, got \(cash)") }
        guard commission.isFinite, (0..<1).contains(commission) else {
            throw .invalidArgument(name: "commission", reason: "must be a fraction in [0, 1), got \(commission)")
        }
        guard slippageBasisPoints.isFinite, (0..<10_000).contains(slippageBasisPoints) else {
            throw .invalidArgument(name: "slippage", reason: "must be in [0, 10000) basis points, got \(slippageBasisPoints)")
        }
        guard periodsPerYear.isFinite, periodsPerYear > 0 else {
            throw .invalidArgument(name: "periodsPerYear", reason: "must be positive, got \(periodsPerYear)")
        }
        return self
    }
}
