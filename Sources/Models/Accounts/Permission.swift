/// What an authenticated caller may do. Whether a resource is the caller's own is checked by
/// the stores and handlers, not here.
public enum Permission: String, CaseIterable, Codable, Sendable {
    /// Read strategies, datasets, runs and results.
    case read
    /// Create and change strategies and datasets.
    case create
    /// Start backtests, training and other jobs.
    case run
    /// Manage users, roles and system settings.
    case admin
}
