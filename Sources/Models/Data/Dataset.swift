import Foundation

/// A stored price dataset (an upload or a derived result) of one owner.
public struct Dataset: Codable, Sendable {
    /// The id.
    public var id: Int64
    /// The name, unique per owner regardless of case.
    public var name: String
    /// Free text.
    public var description: String
    /// Labels for search.
    public var tags: [String]
    /// The exchange's time zone (metadata; times are stored in UTC).
    public var timezone: String
    /// How the file was laid out.
    public var layout: DatasetLayout
    /// The file's columns in order.
    public var columns: [DatasetColumn]
    /// Rows stored.
    public var rowCount: Int64
    /// Bytes of the file as uploaded (what the storage quota counts).
    public var sizeBytes: Int64
    /// What it holds.
    public var summary: DatasetSummary
    /// Its data quality.
    public var quality: DatasetQuality
    /// The dataset it was derived from, if any.
    public var parentId: Int64?
    /// When it was created.
    public var createdAt: Date
    /// When its name, description or tags last changed.
    public var updatedAt: Date
    /// Bumped by every change (the ETag).
    public var version: Int64

    /// The symbols, in the summary's order.
    public var symbols: [String] { summary.symbols.map(\.symbol) }
}
