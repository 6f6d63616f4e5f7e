import Foundation
import Models
import Support

/// The body of `POST /api/v1/analysis/backtest`: a strategy of yours or an inline one, and
/// the data and trading fields of execute.
struct AnalysisBacktestBody: Decodable {
    /// An inline strategy: a built-in kind and its parameters.
    struct Inline: Decodable {
        var kind: String
        var parameters: [String: JSONDocument]?
    }

    var strategyId: Int64?
    var strategy: Inline?
    var datasetId: Int64
    var symbol: String?
    var symbols: [String]?
    var start: Date?
    var end: Date?
    var initialCapital: Double?
    var commission: Double?
    var slippageBps: Double?
    var allowShort: Bool?
    var benchmark: RunBenchmark?

    /// The run request (a backtest), as execute's body would give it.
    func request() throws -> RunRequest {
        try ExecuteBody(
            datasetId: datasetId, symbol: symbol, symbols: symbols, start: start, end: end, mode: .backtest,
            initialCapital: initialCapital, commission: commission, slippageBps: slippageBps, allowShort: allowShort,
            barsPerSecond: nil, benchmark: benchmark
        ).request()
    }
}
