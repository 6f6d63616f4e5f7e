/// The declared type, default and valid range of one strategy parameter.
public struct ParameterSpec: Sendable, Equatable {
    /// Whether the parameter takes whole or real numbers.
    public enum Kind: String, Sendable {
        /// A whole number.
        case integer
        /// A real number.
        case number
    }

    /// The parameter's name, as used in requests (`fast`, `window`, …).
    public var name: String
    /// Integer or real.
    public var kind: Kind
    /// The value used when the caller gives none.
    public var defaultValue: Double
    /// The inclusive range of valid values.
    public var range: ClosedRange<Double>
    /// One-line description for the API documentation.
    public var summary: String

    /// Creates a spec.
    public init(name: String, kind: Kind, defaultValue: Double, range: ClosedRange<Double>, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }

    /// `fast must be an integer in 2...500`.
    public var requirement: String {
        switch kind {
        case .integer:
            return "\(name) must be an integer in \(Int(range.lowerBound))...\(Int(range.upperBound))"
        case .number:
            return "\(name) must be a number in \(range.lowerBound)...\(range.upperBound)"
        }
    }

    /// The value if valid, else a `StrategyError.invalidParameter` saying what is expected.
    public func validate(_ value: Double) throws(StrategyError) -> Double {
        guard value.isFinite, range.contains(value), kind == .number || value == value.rounded() else {
            throw .invalidParameter(name: name, message: requirement)
        }
        return value
    }
}
