/// The body of `POST /api/v1/analysis/compare`.
struct CompareBody: Codable {
    /// Runs of yours (2 to 20, each once), in the order of the answer.
    var runIds: [Int64]
}
