/// A strategy parameter as a request gives it: a JSON number, or a name for a choice parameter.
public enum ParameterValue: Sendable, Equatable {
    /// A number (integer or real parameters).
    case number(Double)
    /// A name (choice parameters, e.g. `"monthly"`).
    case text(String)
}
