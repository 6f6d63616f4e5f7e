/// `POST /api/v1/analysis/compare`: each run's metric set side by side, and the correlation
/// matrix of their returns on the times they share.
struct CompareAnswer: Codable {
    /// One run's figures.
    struct Entry: Codable {
        var runId: Int64
        var strategyId: Int64?
        var metrics: MetricSet
    }

    /// The correlation of the runs' returns, rows and columns in `runIds` order.
    struct CorrelationMatrix: Codable {
        var runIds: [Int64]
        /// Returns at times every run has.
        var alignedReturns: Int
        var matrix: [[Double?]]
    }

    var runs: [Entry]
    var correlation: CorrelationMatrix
}
