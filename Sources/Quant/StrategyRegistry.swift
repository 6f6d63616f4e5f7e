/// The strategies the platform offers, by name, with validation of their parameters.
public enum StrategyRegistry {
    private static func int(_ name: String, _ def: Double, _ range: ClosedRange<Double>, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .integer, defaultValue: def, range: range, summary: summary)
    }

    private static func real(_ name: String, _ def: Double, _ range: ClosedRange<Double>, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .number, defaultValue: def, range: range, summary: summary)
    }

    /// Every strategy, in documentation order.
    public static let descriptors: [StrategyDescriptor] = [
        StrategyDescriptor(
            name: "buy_and_hold", summary: "Buy at the second bar's open and hold to the end.",
            parameters: [], supportsShort: false),
        StrategyDescriptor(
            name: "sma_crossover",
            summary: "Long when the fast SMA crosses above the slow SMA; exit (or short) on the cross below.",
            parameters: [int("fast", 10, 2...500, "Fast SMA window, bars."), int("slow", 30, 2...1000, "Slow SMA window, bars.")],
            supportsShort: true),
        StrategyDescriptor(
            name: "ema_crossover",
            summary: "Long when the fast EMA crosses above the slow EMA; exit (or short) on the cross below.",
            parameters: [int("fast", 12, 2...500, "Fast EMA window, bars."), int("slow", 26, 2...1000, "Slow EMA window, bars.")],
            supportsShort: true),
        StrategyDescriptor(
            name: "bollinger_reversion",
            summary: "Long when the close falls below the lower band; exit (or short) above the upper band.",
            parameters: [int("window", 20, 2...500, "Band window, bars."), real("k", 2, 0.1...10, "Band width, standard deviations.")],
            supportsShort: true),
        StrategyDescriptor(
            name: "rsi_reversion",
            summary: "Long when Wilder's RSI falls below lower; exit (or short) when it rises above upper.",
            parameters: [
                int("window", 14, 2...500, "RSI window, bars."), real("lower", 30, 0...100, "Oversold level."),
                real("upper", 70, 0...100, "Overbought level."),
            ],
            supportsShort: true),
        StrategyDescriptor(
            name: "momentum",
            summary: "Long when the rate of change over lookback exceeds threshold; exit (or short) below −threshold.",
            parameters: [
                int("lookback", 20, 1...1000, "Rate-of-change period, bars."),
                real("threshold", 0, 0...10, "Minimum |rate of change| (a fraction) to act."),
            ],
            supportsShort: true),
    ]

    /// Names of all strategies.
    public static var names: [String] { descriptors.map(\.name) }

    /// The descriptor of a strategy.
    public static func descriptor(named name: String) throws(StrategyError) -> StrategyDescriptor {
        guard let d = descriptors.first(where: { $0.name == name }) else {
            throw .unknownStrategy(name, known: names)
        }
        return d
    }

    /// Validates numeric parameters (missing ones take their defaults) and returns the strategy.
    public static func strategy(named name: String, parameters: [String: Double] = [:]) throws(StrategyError) -> Strategy {
        let d = try descriptor(named: name)
        var values: [String: Double] = [:]
        for spec in d.parameters { values[spec.name] = spec.defaultValue }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let spec = d.parameter(named: key) else {
                throw .unknownParameter(name: key, strategy: name, known: d.parameters.map(\.name))
            }
            values[key] = try spec.validate(value)
        }
        try checkRelations(d.name, values)
        return Strategy(descriptor: d, parameters: values)
    }

    /// Like `strategy(named:parameters:)` with values as text (`"10"`), as they come from a
    /// command line or query string.
    public static func strategy(named name: String, textParameters: [String: String]) throws(StrategyError) -> Strategy {
        let d = try descriptor(named: name)
        var numbers: [String: Double] = [:]
        for (key, text) in textParameters {
            guard let spec = d.parameter(named: key) else {
                throw .unknownParameter(name: key, strategy: name, known: d.parameters.map(\.name))
            }
            guard let v = DecimalParser.parse(text.trimmingSpaces()) else {
                throw .invalidParameter(name: key, message: spec.requirement + " (got \"\(text)\")")
            }
            numbers[key] = v
        }
        return try strategy(named: name, parameters: numbers)
    }

    private static func checkRelations(_ name: String, _ v: [String: Double]) throws(StrategyError) {
        if let fast = v["fast"], let slow = v["slow"], fast >= slow {
            throw .invalidParameter(name: "fast", message: "fast (\(Int(fast))) must be less than slow (\(Int(slow)))")
        }
        if let lower = v["lower"], let upper = v["upper"], lower >= upper {
            throw .invalidParameter(name: "lower", message: "lower (\(lower)) must be less than upper (\(upper))")
        }
    }
}
