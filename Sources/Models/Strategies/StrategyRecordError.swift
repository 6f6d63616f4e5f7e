/// Why a strategy operation was refused, without HTTP (`Handlers` maps these to problems).
public enum StrategyRecordError: Error, Sendable, Equatable {
    /// No such strategy of this caller.
    case notFound
    /// The owner already has a strategy of that name (case-insensitive).
    case nameTaken
    /// The caller's `If-Match` version is not the current one.
    case stale(current: Int64)
    /// The fields are invalid.
    case invalid([ValidationIssue])
}
