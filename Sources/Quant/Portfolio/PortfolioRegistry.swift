/// The portfolio strategies (multi-symbol, target weights), beside `StrategyRegistry`'s
/// single-symbol ones: `equal_weight`, `inverse_volatility`, and `portfolio_<kind>` for each
/// single-symbol kind, which applies that kind's signal to every symbol with the capital split.
public enum PortfolioRegistry {
    private static let rebalance = ParameterSpec(
        name: "rebalance", choices: RebalanceSchedule.names, defaultChoice: "monthly",
        summary: "When the weights are restored: daily, weekly, monthly (after the period's last bar) or every rebalance_bars bars.")
    private static let rebalanceForSignals = ParameterSpec(
        name: "rebalance", choices: RebalanceSchedule.names, defaultChoice: "daily",
        summary: "When the capital is split again besides each signal change: daily, weekly, monthly or every rebalance_bars bars.")
    private static let rebalanceBars = ParameterSpec(
        name: "rebalance_bars", kind: .integer, defaultValue: 21, range: 1...100_000,
        summary: "Bars between rebalances when rebalance is bars.")
    private static let lookback = ParameterSpec(
        name: "lookback", kind: .integer, defaultValue: 20, range: 2...1000,
        summary: "Returns in the volatility window, bars.")
    /// The prefix of the portfolio form of a single-symbol kind.
    static let signalPrefix = "portfolio_"

    /// Every portfolio strategy, in documentation order.
    public static let descriptors: [StrategyDescriptor] =
        [
            StrategyDescriptor(
                name: "equal_weight", summary: "Hold every symbol at weight 1/N, rebalanced on a schedule.",
                parameters: [rebalance, rebalanceBars], supportsShort: false),
            StrategyDescriptor(
                name: "inverse_volatility",
                summary: "Weights proportional to 1/volatility of each symbol's last lookback returns, rebalanced on a schedule.",
                parameters: [lookback, rebalance, rebalanceBars], supportsShort: false),
        ]
        + StrategyRegistry.descriptors.map { d in
            StrategyDescriptor(
                name: signalPrefix + d.name,
                summary: "\(d.name) on every symbol, the capital split equally (weight = position / N): " + d.summary,
                parameters: d.parameters + [rebalanceForSignals, rebalanceBars], supportsShort: d.supportsShort)
        }

    /// Names of all portfolio strategies.
    public static var names: [String] { descriptors.map(\.name) }

    /// Whether `kind` names a portfolio strategy.
    public static func contains(_ kind: String) -> Bool { descriptors.contains { $0.name == kind } }

    /// The descriptor of a portfolio strategy.
    public static func descriptor(named name: String) throws(StrategyError) -> StrategyDescriptor {
        guard let d = descriptors.first(where: { $0.name == name }) else { throw .unknownStrategy(name, known: names) }
        return d
    }

    /// Validates the parameters as a request gives them (missing ones take their defaults).
    public static func strategy(named name: String, values: [String: ParameterValue] = [:]) throws(StrategyError) -> PortfolioStrategy {
        let d = try descriptor(named: name)
        var numbers: [String: Double] = [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let spec = d.parameter(named: key) else {
                throw .unknownParameter(name: key, strategy: name, known: d.parameters.map(\.name))
            }
            numbers[key] = try spec.validate(value)
        }
        return try strategy(named: name, parameters: numbers)
    }

    /// Validates numeric parameters (a choice as its index).
    public static func strategy(named name: String, parameters: [String: Double]) throws(StrategyError) -> PortfolioStrategy {
        let d = try descriptor(named: name)
        var v: [String: Double] = [:]
        for spec in d.parameters { v[spec.name] = spec.defaultValue }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let spec = d.parameter(named: key) else {
                throw .unknownParameter(name: key, strategy: name, known: d.parameters.map(\.name))
            }
            v[key] = try spec.validate(value)
        }
        let every = Int(v["rebalance_bars"] ?? 1)
        let scheduleName = d.parameter(named: "rebalance")?.choiceName(v["rebalance"] ?? 0) ?? "daily"
        guard let schedule = RebalanceSchedule(name: scheduleName, every: every) else {
            throw .invalidParameter(name: "rebalance", message: d.parameter(named: "rebalance")?.requirement ?? "rebalance is invalid")
        }
        let weighting: PortfolioStrategy.Weighting
        switch name {
        case "equal_weight":
            weighting = .equal
        case "inverse_volatility":
            weighting = .inverseVolatility(lookback: Int(v["lookback"] ?? 20))
        default:
            let inner = String(name.dropFirst(signalPrefix.count))
            let own = try StrategyRegistry.descriptor(named: inner).parameters.map(\.name)
            weighting = .signal(try StrategyRegistry.strategy(named: inner, parameters: v.filter { own.contains($0.key) }))
        }
        return PortfolioStrategy(descriptor: d, parameters: v, weighting: weighting, schedule: schedule)
    }
}
