/// How a run goes through its data.
public enum RunMode: String, CaseIterable, Codable, Sendable {
    /// As fast as possible.
    case backtest
    /// Bar by bar at `bars_per_second`, publishing events as it goes, until the data ends or
    /// it is stopped.
    case paper
}
