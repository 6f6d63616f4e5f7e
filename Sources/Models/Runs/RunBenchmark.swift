/// A price series a run is compared with (alpha, beta, information ratio).
public struct RunBenchmark: Codable, Sendable, Equatable {
    /// The dataset holding it.
    public var datasetId: Int64
    /// Its symbol there.
    public var symbol: String
}
