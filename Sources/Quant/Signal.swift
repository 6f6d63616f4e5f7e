/// What a strategy wants after a bar's close; the backtester acts on it at the next bar's open.
public enum Signal: UInt8, Sendable, Equatable {
    /// Keep the current position.
    case hold
    /// Be long (enter, or reverse a short).
    case long
    /// Be flat (close any position).
    case flat
    /// Be short (enter, or reverse a long); treated as `flat` when shorting is not allowed.
    case short
}
