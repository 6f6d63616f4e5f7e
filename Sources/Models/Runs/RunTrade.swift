import Foundation

/// One trade of a run (a round trip, or the position still open at the end).
public struct RunTrade: Codable, Sendable, Equatable {
    /// 0-based, in entry order.
    public var seq: Int
    /// The symbol.
    public var symbol: String
    /// `long` or `short`.
    public var side: String
    /// Shares (positive).
    public var shares: Int64
    /// Bar index of the entry fill.
    public var entryBar: Int
    /// Bar index of the exit fill (nil while open).
    public var exitBar: Int?
    /// Entry time.
    public var entryTime: Date
    /// Exit time (nil while open).
    public var exitTime: Date?
    /// Entry fill price (slippage included).
    public var entryPrice: Double
    /// Exit fill price; for an open trade, the last close.
    public var exitPrice: Double
    /// Profit before commissions.
    public var grossPnl: Double
    /// Profit after commissions.
    public var netPnl: Double
    /// Commissions paid.
    public var commission: Double
    /// `net_pnl / (entry_price · shares)`.
    public var `return`: Double?
    /// Bars from entry to exit (to the last bar while open).
    public var barsHeld: Int
    /// Whether it is still open.
    public var open: Bool
}
