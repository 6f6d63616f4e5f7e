import Foundation
import Models

/// The body of `POST /api/v1/strategies/:id/execute`.
struct ExecuteBody: Decodable {
    var datasetId: Int64
    var symbol: String?
    var symbols: [String]?
    var start: Date?
    var end: Date?
    var mode: RunMode?
    var initialCapital: Double?
    var commission: Double?
    var slippageBps: Double?
    var allowShort: Bool?
    var barsPerSecond: Double?
    var benchmark: RunBenchmark?

    /// The run request, or a 422 when both `symbol` and `symbols` (or neither) are given.
    func request() throws -> RunRequest {
        var symbols: [String] = []
        var pointer = "/symbol"
        switch (symbol, self.symbols) {
        case (let one?, nil): symbols = [one]
        case (nil, let many?):
            symbols = many
            pointer = "/symbols"
        case (nil, nil):
            throw RunError.invalid([ValidationIssue(field: "/symbol", code: "run.symbol", message: "is required (or symbols)")])
        case (_?, _?):
            throw RunError.invalid([ValidationIssue(field: "/symbols", code: "run.symbols", message: "give symbol or symbols, not both")])
        }
        return RunRequest(
            datasetID: datasetId, symbols: symbols, symbolPointer: pointer, start: start, end: end, mode: mode ?? .backtest,
            initialCapital: initialCapital, commission: commission, slippageBps: slippageBps, allowShort: allowShort,
            barsPerSecond: barsPerSecond, benchmark: benchmark)
    }
}
