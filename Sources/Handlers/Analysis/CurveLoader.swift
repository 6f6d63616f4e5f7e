import Foundation
import Models
import Quant
import TMFcgi

/// Reads the `run_id` | `strategy_id` | `dataset_id`&`symbol` query of the analysis routes
/// (plus `benchmark_run_id` | `benchmark_dataset_id`&`benchmark_symbol`) and loads the curves,
/// the caller's only: another user's run, strategy or dataset is a 404 naming the parameter.
struct CurveLoader {
    let runs: RunStore
    let strategies: StrategyStore
    let datasets: DatasetStore
    /// The most dataset bars one request loads (`TM_SYNC_MAX_BARS`), the benchmark's
    /// included: counted from the dataset's summary before anything is read.
    var maxBars = Int.max

    /// The query parameters it reads, for the route documentation.
    static let parameters: [RouteDoc.QueryParameter] = [
        .integer("run_id", 1...Int(Int64.max), "A run of yours: its equity curve and trades."),
        .integer("strategy_id", 1...Int(Int64.max), "A strategy of yours: its latest succeeded run."),
        .integer("dataset_id", 1...Int(Int64.max), "A dataset of yours: the closes of `symbol`."),
        .string("symbol", "The dataset's symbol (required when it has several).", maxLength: 64),
        .integer("benchmark_run_id", 1...Int(Int64.max), "A run of yours as the benchmark."),
        .integer("benchmark_dataset_id", 1...Int(Int64.max), "A dataset of yours whose `benchmark_symbol` closes are the benchmark."),
        .string("benchmark_symbol", "The benchmark dataset's symbol (required when it has several).", maxLength: 64),
    ]

    /// A positive id parameter.
    private static func id(_ query: [String: String], _ name: String, errors: inout [FieldError]) -> Int64? {
        QueryValue.integer(query, name, 1...Int(Int64.max), errors: &errors).map(Int64.init)
    }

    /// The curve and benchmark that `query` names, or a 4xx naming the parameter at fault.
    func load(_ query: [String: String], principal: Principal) throws -> AnalysisCurve {
        var errors: [FieldError] = []
        let runID = Self.id(query, "run_id", errors: &errors)
        let strategyID = Self.id(query, "strategy_id", errors: &errors)
        let datasetID = Self.id(query, "dataset_id", errors: &errors)
        let benchRun = Self.id(query, "benchmark_run_id", errors: &errors)
        let benchDataset = Self.id(query, "benchmark_dataset_id", errors: &errors)
        let given = ["run_id", "strategy_id", "dataset_id"].filter { query[$0] != nil }
        if given.isEmpty {
            errors.append(FieldError(pointer: "run_id", detail: "give one of run_id, strategy_id, or dataset_id with symbol"))
        } else if given.count > 1 {
            errors.append(FieldError(pointer: given[1], detail: "give only one of run_id, strategy_id and dataset_id"))
        }
        if query["symbol"] != nil && query["dataset_id"] == nil {
            errors.append(FieldError(pointer: "symbol", detail: "is only for dataset_id"))
        }
        if query["benchmark_run_id"] != nil && query["benchmark_dataset_id"] != nil {
            errors.append(FieldError(pointer: "benchmark_dataset_id", detail: "give benchmark_run_id or benchmark_dataset_id, not both"))
        }
        if query["benchmark_symbol"] != nil && query["benchmark_dataset_id"] == nil {
            errors.append(FieldError(pointer: "benchmark_symbol", detail: "is only for benchmark_dataset_id"))
        }
        try QueryValue.check(errors)

        var curve: AnalysisCurve
        if let runID {
            curve = try self.run(runID, pointer: "run_id", principal: principal)
        } else if let strategyID {
            guard let strategy = try strategies.find(id: strategyID, owner: principal.ownerScope) else {
                throw Problem.notYours("strategy", strategyID, at: "strategy_id")
            }
            guard
                let latest = try runs.list(
                    owner: principal.ownerScope, strategyID: strategy.id, status: .succeeded, mode: nil,
                    limit: 1, offset: 0
                ).items.first
            else {
                throw Problem(
                    .conflict, detail: "Strategy \(strategy.id) has no succeeded run yet.",
                    errors: [FieldError(pointer: "strategy_id", detail: "has no succeeded run")])
            }
            curve = try self.run(latest.id, pointer: "strategy_id", principal: principal)
            curve.source.strategyId = strategy.id
        } else if let datasetID {
            let (times, closes, symbol) = try prices(
                datasetID, symbolParameter: "symbol", datasetParameter: "dataset_id", query, principal, budget: maxBars)
            curve = AnalysisCurve(source: AnalysisSource(datasetId: datasetID, symbol: symbol), timestamps: times, values: closes)
        } else {
            throw Problem.validation([FieldError(pointer: "run_id", detail: "is required")])
        }
        if let benchRun {
            let other = try self.run(benchRun, pointer: "benchmark_run_id", principal: principal)
            curve.benchmark = (other.timestamps, other.values)
            curve.benchmarkName = "run \(benchRun)"
            curve.source.benchmarkRunId = benchRun
        } else if let benchDataset {
            let (times, closes, symbol) = try prices(
                benchDataset, symbolParameter: "benchmark_symbol", datasetParameter: "benchmark_dataset_id",
                query, principal, budget: maxBars - min(maxBars, curve.timestamps.count))
            curve.benchmark = (times, closes)
            curve.benchmarkName = symbol
            curve.source.benchmarkDatasetId = benchDataset
            curve.source.benchmarkSymbol = symbol
        } else {
            try attachOwnBenchmark(&curve)
        }
        return curve
    }

    /// A run's own benchmark (the one it was executed with), when it has one and its bars remain.
    func attachOwnBenchmark(_ curve: inout AnalysisCurve) throws {
        guard let b = curve.run?.benchmark else { return }
        let columns = try datasets.bars(datasetID: b.datasetId, symbol: b.symbol, start: nil, end: nil, maxPoints: Int(Int32.max))
        guard !columns.time.isEmpty else { return }
        curve.benchmark = (columns.time, columns.close)
        curve.benchmarkName = b.symbol
        curve.source.benchmarkDatasetId = b.datasetId
        curve.source.benchmarkSymbol = b.symbol
    }

    /// Run `id`'s curve and trades; 404 naming `pointer` when not the caller's, 409 before it has results.
    func run(_ id: Int64, pointer: String, principal: Principal) throws -> AnalysisCurve {
        guard let run = try runs.find(id: id, owner: principal.ownerScope) else { throw Problem.notYours("run", id, at: pointer) }
        guard let series = try runs.series(runID: run.id), !series.times.isEmpty else {
            throw Problem(
                .conflict, detail: "Run \(run.id) has no results yet (it is \(run.status.rawValue)).",
                errors: [FieldError(pointer: pointer, detail: "has no results yet")])
        }
        let trades = try runs.allTrades(runID: run.id)
        let closed = trades.filter { !$0.open }
        let held = series.position.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        let stats = TradeStatistics(
            profits: closed.map(\.netPnl), returns: closed.map { $0.return ?? .nan }, barsHeld: closed.map(\.barsHeld),
            openTrades: trades.count - closed.count, exposure: Double(held) / Double(series.times.count))
        return AnalysisCurve(
            source: AnalysisSource(runId: run.id, strategyId: run.strategyId), timestamps: series.times,
            values: series.equity, trades: stats, tradeReturns: closed.compactMap(\.return), run: run)
    }

    /// The closes of a dataset's symbol; 404 naming `datasetParameter`, 422 naming `symbolParameter`.
    private func prices(
        _ id: Int64, symbolParameter: String, datasetParameter: String, _ query: [String: String],
        _ principal: Principal, budget: Int
    ) throws -> ([Int64], [Double], String) {
        guard let dataset = try datasets.find(id: id, owner: principal.userID) else { throw Problem.notYours("dataset", id, at: datasetParameter) }
        var symbol = query[symbolParameter]
        if let given = symbol, !dataset.symbols.contains(given) {
            throw Problem.validation([FieldError(pointer: symbolParameter, detail: "is not in dataset \(id)")])
        }
        if symbol == nil {
            guard dataset.symbols.count == 1 else {
                throw Problem.validation([
                    FieldError(pointer: symbolParameter, detail: "is required: the dataset has \(dataset.symbols.count) symbols")
                ])
            }
            symbol = dataset.symbols[0]
        }
        let name = symbol ?? ""
        let rows = dataset.summary.symbols.first { $0.symbol == name }.map { Int(clamping: $0.rowCount) } ?? 0
        guard rows <= budget else {
            throw Problem.validation([
                FieldError(
                    pointer: datasetParameter,
                    detail: "has \(rows) bars of \(name); one request analyses at most \(maxBars) bars (TM_SYNC_MAX_BARS), the benchmark's included")
            ])
        }
        let columns = try datasets.bars(datasetID: dataset.id, symbol: name, start: nil, end: nil, maxPoints: Int(Int32.max))
        return (columns.time, columns.close, name)
    }
}
