/// One round trip (or a position still open at the end).
public struct Trade: Sendable, Equatable {
    /// Bar index of the entry fill.
    public var entryBar: Int
    /// Bar index of the exit fill; nil while open.
    public var exitBar: Int?
    /// Entry time (the entry bar's timestamp).
    public var entryTime: Int64
    /// Exit time; nil while open.
    public var exitTime: Int64?
    /// Fill price of the entry, slippage included.
    public var entryPrice: Double
    /// Fill price of the exit, slippage included; for an open trade, the last close.
    public var exitPrice: Double
    /// Shares: positive long, negative short.
    public var shares: Int
    /// Profit or loss net of both commissions (of the entry commission only while open).
    public var profit: Double
    /// `profit` / (entry price · |shares|).
    public var returnFraction: Double
    /// Bars from entry to exit (to the last bar while open).
    public var barsHeld: Int
    /// Commissions paid (entry and exit).
    public var commission: Double

    /// Whether the trade is still open at the end of the backtest.
    public var isOpen: Bool { exitBar == nil }
}
