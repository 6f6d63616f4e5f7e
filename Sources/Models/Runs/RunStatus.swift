/// Where a run is in its life (the one status vocabulary of long work).
public enum RunStatus: String, CaseIterable, Codable, Sendable {
    /// Waiting for a worker.
    case queued
    /// Being run.
    case running
    /// Done to the end of its data.
    case succeeded
    /// Ended by an error (see `error`).
    case failed
    /// Stopped before the end (a paper run keeps what it had done).
    case cancelled

    /// Whether it is over.
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
