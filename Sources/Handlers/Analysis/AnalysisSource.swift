/// What an analysis answer is about: a run, or a dataset's symbol (its price curve).
struct AnalysisSource: Codable {
    /// The run analysed (also when asked by strategy_id: its latest finished run).
    var runId: Int64?
    /// The strategy of the run, if any.
    var strategyId: Int64?
    /// The dataset of a price curve.
    var datasetId: Int64?
    /// The symbol of a price curve.
    var symbol: String?
    /// The benchmark used, if any: a run or a dataset's symbol.
    var benchmarkRunId: Int64?
    var benchmarkDatasetId: Int64?
    var benchmarkSymbol: String?
}
