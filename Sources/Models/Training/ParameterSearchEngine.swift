import Foundation
import JobRuntime
import Quant
import Support

/// The `training.parameter_search` job: loads the strategy, the dataset's bars and the
/// search, runs the trials on `threads` threads (a trial event and a progress report per
/// trial, both throttled), picks the best on the validation part, backtests it once on the
/// test part, and stores the result in the completion transaction.
struct ParameterSearchEngine: JobHandler {
    /// Trial threads per job.
    let threads: Int

    func run(_ context: JobContext) throws -> JobCompletion {
        let store = TrainingStore(queue: JobQueue(database: context.database, events: context.events))
        guard let id = context.payload["training_id"].flatMap({ $0.intValue }).map(Int64.init),
            let training = try store.find(id: id, owner: nil)
        else {
            throw JobFailure("the training row is gone", retryable: false)
        }
        guard let strategyID = training.strategyId, let strategy = try store.strategy(id: strategyID, owner: training.ownerId) else {
            throw JobFailure("the strategy was deleted", retryable: false)
        }
        let request: SearchRequest
        do { request = try SearchRequest.parse(training.config, strategy: strategy) } catch {
            throw JobFailure("invalid config: " + error.issues.map(\.description).joined(separator: "; "), retryable: false)
        }
        guard let datasetID = training.datasetId else { throw JobFailure("the dataset was deleted", retryable: false) }
        let datasets = DatasetStore(database: context.database)
        guard let dataset = try datasets.find(id: datasetID, owner: training.ownerId) else {
            throw JobFailure("the dataset was deleted", retryable: false)
        }
        let symbol = request.symbol ?? dataset.symbols.first ?? ""
        guard dataset.symbols.contains(symbol) else {
            throw JobFailure("dataset \(datasetID) has no symbol \(symbol)", retryable: false)
        }
        let series = try datasets.series(datasetID: datasetID, symbol: symbol)
        let search = request.search
        let parts: (train: OHLCVSeries, validation: OHLCVSeries, test: OHLCVSeries)
        do { parts = try search.parts(of: series) } catch {
            throw JobFailure("the dataset is too short to split: \(error)", retryable: false)
        }
        let candidates = search.candidates()
        let total = candidates.count
        let started = ContinuousClock.now
        try store.record(
            id: id, trial: 0, totalTrials: total, log: ["search of \(total) trials over \(series.count) bars of \(symbol) on \(threads) threads"])
        try context.reportProgress(0, message: "trial 0/\(total)")

        var best: SearchTrial?
        var history: [JSONDocument] = []
        var lastWrite = ContinuousClock.now
        var lastEvent = ContinuousClock.now - .seconds(1)
        let trials = try ParallelTrials.run(
            search, candidates: candidates, train: parts.train, validation: parts.validation,
            threads: threads
        ) { trial, finished in
            let score = trial.validScore
            if trial.error == nil, !score.isNaN,
                best.map({ current in
                    SearchObjective.better(score, than: current.validScore) || (score == current.validScore && trial.index < current.index)
                }) ?? true
            {
                best = trial
                history.append(
                    .object([
                        "trial": .integer(Int64(finished)), "index": .integer(Int64(trial.index)),
                        "best_valid_score": .number(score),
                    ]))
            }
            try context.reportProgress(Double(finished) / Double(total), message: "trial \(finished)/\(total)")
            let now = ContinuousClock.now
            if now - lastEvent >= .milliseconds(100) || finished == total {
                lastEvent = now
                context.events.publish(
                    .trainingTrial(
                        id: id, job: context.job.id, owner: training.ownerId, trial: trial, finished: finished, total: total,
                        best: best))
            }
            if now - lastWrite >= .seconds(1) {
                lastWrite = now
                try? store.record(id: id, trial: finished, history: .array(history))
            }
        }
        guard let chosen = ParameterSearch.best(of: trials) else {
            try? store.record(id: id, trial: total, history: .array(history))
            throw JobFailure("no trial had a valid score on the validation part (\(trials.first?.error ?? "no trades"))", retryable: false)
        }
        let test = try search.report(chosen, test: parts.test)
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
        let result = Self.result(search: search, trials: trials, best: chosen, test: test, symbol: symbol, parts: parts, seconds: seconds)
        try store.record(
            id: id, trial: total, history: .array(history),
            log: [
                "search of \(total) trials over \(series.count) bars of \(symbol) on \(threads) threads",
                "best trial \(chosen.index): valid \(search.objective.rawValue) \(chosen.validScore)",
                String(format: "finished in %.3f s", seconds),
            ])
        return JobCompletion(result: result) { tx in
            try TrainingStore.complete(id: id, result: result, images: [:], in: tx)
        }
    }

    static func number(_ value: Double) -> JSONDocument { value.isFinite ? .number(value) : .null }

    static func parameters(_ values: [String: Double]) -> JSONDocument {
        .object(values.mapValues { $0 == $0.rounded() && abs($0) < 1e15 ? .integer(Int64($0)) : .number($0) })
    }

    static func result(
        search: ParameterSearch, trials: [SearchTrial], best: SearchTrial, test: BacktestResult, symbol: String,
        parts: (train: OHLCVSeries, validation: OHLCVSeries, test: OHLCVSeries), seconds: Double
    ) -> JSONDocument {
        func range(_ s: OHLCVSeries) -> JSONDocument {
            .object([
                "bars": .integer(Int64(s.count)),
                "start": s.timestamps.first.map { .string(TimestampFormatter.iso8601($0)) } ?? .null,
                "end": s.timestamps.last.map { .string(TimestampFormatter.iso8601($0)) } ?? .null,
            ])
        }
        let m = test.metrics
        return .object([
            "engine": .string("parameter_search"),
            "method": .string(search.method.rawValue),
            "objective": .string(search.objective.rawValue),
            "seed": .integer(Int64(search.seed)),
            "symbol": .string(symbol),
            "split": .object(["train": range(parts.train), "valid": range(parts.validation), "test": range(parts.test)]),
            "trials": .array(
                trials.map { t in
                    var entry: [String: JSONDocument] = [
                        "index": .integer(Int64(t.index)), "parameters": parameters(t.parameters),
                        "train_score": number(t.trainScore), "valid_score": number(t.validScore),
                    ]
                    if let error = t.error { entry["error"] = .string(error) }
                    return .object(entry)
                }),
            "best_trial": .integer(Int64(best.index)),
            "best_parameters": parameters(best.parameters),
            "best_train_score": number(best.trainScore),
            "best_valid_score": number(best.validScore),
            "test": .object([
                "score": number(search.objective.score(m)),
                "metrics": .object([
                    "total_return": number(m.cumulativeReturn), "annual_return": number(m.annualReturn),
                    "sharpe": number(m.sharpe), "sortino": number(m.sortino), "calmar": number(m.calmar),
                    "max_drawdown": number(m.maxDrawdown), "annual_volatility": number(m.annualVolatility),
                ]),
                "trades": .integer(Int64(test.summary.closedTrades)),
                "final_equity": number(test.summary.finalEquity),
            ]),
            "seconds": number(seconds),
        ])
    }
}
