/// The declared type, default and valid range of one strategy parameter.
///
/// A `choice` parameter (a portfolio's `rebalance`) takes one of `choices`; strategies keep
/// every value as a `Double`, a choice as its index in `choices`.
public struct ParameterSpec: Sendable, Equatable {
    /// Whether the parameter takes whole or real numbers, or one of a list of names.
    public enum Kind: String, Sendable {
        /// A whole number.
        case integer
        /// A real number.
        case number
        /// One of `choices`, given by name.
        case choice
    }

    /// The parameter's name, as used in requests (`fast`, `window`, …).
    public var name: String
    /// Integer, real or choice.
    public var kind: Kind
    /// The value used when the caller gives none (a choice's index).
    public var defaultValue: Double
    /// The inclusive range of valid values (of the index, for a choice).
    public var range: ClosedRange<Double>
    /// One-line description for the API documentation.
    public var summary: String
    /// The names a `choice` parameter accepts, in index order; empty otherwise.
    public var choices: [String]

    /// Creates a numeric spec.
    public init(name: String, kind: Kind, defaultValue: Double, range: ClosedRange<Double>, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
        self.choices = []
    }

    /// Creates a choice spec whose default is `defaultChoice` (one of `choices`).
    public init(name: String, choices: [String], defaultChoice: String, summary: String) {
        self.name = name
        self.kind = .choice
        self.defaultValue = Double(choices.firstIndex(of: defaultChoice) ?? 0)
        self.range = 0...Double(max(choices.count - 1, 0))
        self.summary = summary
        self.choices = choices
    }

    /// `fast must be an integer in 2...500`, `rebalance must be one of daily, weekly`.
    public var requirement: String {
        switch kind {
        case .integer:
            return "\(name) must be an integer in \(Int(range.lowerBound))...\(Int(range.upperBound))"
        case .number:
            return "\(name) must be a number in \(range.lowerBound)...\(range.upperBound)"
        case .choice:
            return "\(name) must be one of \(choices.joined(separator: ", "))"
        }
    }

    /// The name of a choice parameter's value (nil for numeric parameters or a bad index).
    public func choiceName(_ value: Double) -> String? {
        guard kind == .choice, value == value.rounded(), let i = Int(exactly: value), choices.indices.contains(i) else { return nil }
        return choices[i]
    }

    /// The value if valid, else a `StrategyError.invalidParameter` saying what is expected.
    public func validate(_ value: Double) throws(StrategyError) -> Double {
        guard value.isFinite, range.contains(value), kind == .number || value == value.rounded() else {
            throw .invalidParameter(name: name, message: requirement)
        }
        return value
    }

    /// A value given as a JSON number or string: numbers for numeric parameters, a name for a choice.
    public func validate(_ value: ParameterValue) throws(StrategyError) -> Double {
        switch (kind, value) {
        case (.choice, .text(let text)):
            guard let i = choices.firstIndex(of: text) else { throw .invalidParameter(name: name, message: requirement) }
            return Double(i)
        case (.integer, .number(let v)), (.number, .number(let v)):
            return try validate(v)
        default:
            throw .invalidParameter(name: name, message: requirement)
        }
    }
}
