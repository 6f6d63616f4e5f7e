import Foundation

/// A stored strategy of one owner (the `strategies` table). Named `StrategyRecord` so it does
/// not shadow `Quant.Strategy`, the validated, runnable strategy it describes.
public struct StrategyRecord: Codable, Sendable, Equatable {
    /// The id.
    public var id: Int64
    /// Its owner.
    public var ownerId: Int64
    /// The name, unique per owner regardless of case.
    public var name: String
    /// Free text.
    public var description: String
    /// What it is for.
    public var strategyType: StrategyType
    /// What runs it.
    public var engine: StrategyEngine
    /// The `Quant` registry kind (builtin only).
    public var kind: String?
    /// The kind's parameters, every one with its value (defaults filled in); empty for trademaster.
    public var parameters: [String: Double]
    /// The TradeMaster service's config (trademaster only).
    public var config: TradeMasterConfig?
    /// The trading rules a run starts from.
    public var trading: TradingDefaults
    /// Labels for search.
    public var tags: [String]
    /// A free category.
    public var category: String?
    /// Where it is in its life.
    public var status: StrategyStatus
    /// The headline figures of its latest succeeded run.
    public var performance: StrategyPerformance?
    /// When it was created.
    public var createdAt: Date
    /// When its definition or status last changed.
    public var updatedAt: Date
    /// When it was last executed.
    public var lastRunAt: Date?
    /// Bumped by every edit of the definition (the ETag).
    public var version: Int64
}
