/// The account after each bar's close: cash, shares held and equity (cash + shares·close).
public struct EquityCurve: Sendable, Equatable {
    /// Bar times.
    public var timestamps: [Int64]
    /// Cash after the bar's fills.
    public var cash: [Double]
    /// Shares held after the bar's fills (negative when short).
    public var shares: [Int]
    /// Cash plus the position marked at the bar's close.
    public var equity: [Double]
}
