/// Where a strategy is in its life. `active` is set while one of its runs is live; when the
/// last live run ends the strategy becomes `stopped` (its run succeeded or was stopped) or
/// `error` (its run failed). Clients may set `draft`, `paused` and `stopped` themselves.
public enum StrategyStatus: String, CaseIterable, Codable, Sendable {
    /// Being written; never run.
    case draft
    /// A run is live.
    case active
    /// Put aside by its owner.
    case paused
    /// Not running (its last run ended, or its owner stopped it).
    case stopped
    /// Its last run failed.
    case error

    /// The statuses a client may set (the others follow the runs).
    public static let settable: [StrategyStatus] = [.draft, .paused, .stopped]
}
