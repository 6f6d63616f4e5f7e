import Quant

/// Why a dataset operation was refused, without HTTP (`Handlers` maps these to problems).
public enum DatasetError: Error, Sendable {
    /// The file is not a price file (no header, a required column missing…).
    case badFile(String)
    /// A line exceeds the parser's limit.
    case lineTooLong(line: Int, limit: Int)
    /// Rows are invalid: the first issues and the total count.
    case invalidRows([CSVIssue], count: Int)
    /// More rows than a dataset may hold.
    case tooManyRows(limit: Int)
    /// The owner's storage quota would be exceeded.
    case quotaExceeded(usedBytes: Int64, quotaBytes: Int64)
    /// The owner's upload budget of the window is spent (``UploadBudget``): retry after
    /// `retryAfter` seconds.
    case uploadBudgetExceeded(limitBytes: Int64, windowSeconds: Int64, retryAfter: Int64)
    /// The database has no room left.
    case diskFull
    /// The owner already has a dataset of that name (case-insensitive).
    case nameTaken
    /// No such dataset of this owner.
    case notFound
    /// The caller's `If-Match` version is not the current one.
    case stale(current: Int64)
    /// A preprocessing step could not run on the data (too few rows…), at its JSON pointer.
    case stepFailed(pointer: String, detail: String)
    /// An import URL is refused (not http(s), a private address…) or could not be fetched.
    case importRefused(reason: String)
    /// Strategy runs still use the dataset (delete with `force`).
    case inUse(runs: Int)
}
