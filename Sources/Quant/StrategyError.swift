/// Errors from choosing or configuring a strategy.
public enum StrategyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No strategy has this name; `known` lists those that exist.
    case unknownStrategy(String, known: [String])
    /// The strategy has no parameter of this name.
    case unknownParameter(name: String, strategy: String, known: [String])
    /// A value is not valid; `message` says what is expected ("fast must be an integer in 2...500").
    case invalidParameter(name: String, message: String)

    /// A message fit for a user.
    public var description: String {
        switch self {
        case .unknownStrategy(let name, let known):
            return "Unknown strategy \"\(name)\" (known: \(known.joined(separator: ", ")))."
        case .unknownParameter(let name, let strategy, let known):
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "Strategy \(strategy) has no parameter \"\(name)\" (parameters: \(list))."
        case .invalidParameter(_, let message):
            return message + "."
        }
    }
}
