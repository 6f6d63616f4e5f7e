/// What an upload says about the dataset besides its file.
public struct DatasetDraft: Sendable {
    /// The name (validated by the caller).
    public var name: String
    /// Free text.
    public var description: String
    /// The symbol of a wide file's rows.
    public var symbol: String
    /// Labels.
    public var tags: [String]
    /// The exchange's time zone.
    public var timezone: String
    /// Which of duplicate (symbol, time) rows to keep; nil refuses duplicates.
    public var dedupe: Dedupe?
    /// The dataset this one was derived from.
    public var parentID: Int64?
    /// The steps that derived it, as JSON text.
    public var steps: String?

    /// Which duplicate to keep.
    public enum Dedupe: String, Sendable, CaseIterable {
        /// The one on the earliest line.
        case first
        /// The one on the latest line.
        case last
    }

    /// A draft.
    public init(name: String, description: String = "", symbol: String, tags: [String] = [], timezone: String = "UTC", dedupe: Dedupe? = nil) {
        self.name = name
        self.description = description
        self.symbol = symbol
        self.tags = tags
        self.timezone = timezone
        self.dedupe = dedupe
    }
}

/// The limits an upload is held to.
public struct UploadLimits: Sendable {
    /// The most rows a dataset may have (`TM_MAX_DATASET_ROWS`).
    public var maximumRows: Int
    /// The most bytes of datasets a user may keep (`TM_USER_QUOTA_BYTES`).
    public var quotaBytes: Int64

    /// Limits.
    public init(maximumRows: Int = 10_000_000, quotaBytes: Int64 = 2 << 30) {
        self.maximumRows = maximumRows
        self.quotaBytes = quotaBytes
    }
}
