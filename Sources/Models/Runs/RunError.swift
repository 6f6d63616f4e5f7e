/// Why a run operation was refused, without HTTP (`Handlers` maps these to problems).
public enum RunError: Error, Sendable, Equatable {
    /// No such run of this caller.
    case notFound
    /// The dataset named by the field at `pointer` is not the owner's (or does not exist).
    case datasetNotFound(pointer: String, id: Int64)
    /// The fields are invalid.
    case invalid([ValidationIssue])
    /// The run is still live (queued or running): stop it first.
    case live
    /// The strategy cannot be executed here (a trademaster strategy is trained by the service).
    case notExecutable(String)
}
