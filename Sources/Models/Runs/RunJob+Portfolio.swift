import Foundation
import JobRuntime
import Quant

extension RunJob {
    /// The bars of every symbol of portfolio run `run` (within its start and end), each
    /// symbol's own series: `PortfolioUniverse` aligns them on their common times.
    static func universe(of run: Run, service: RunService) throws -> PortfolioUniverse {
        guard let datasetID = run.datasetId, run.symbols.count >= 2 else {
            throw JobFailure("the run's dataset was deleted", retryable: false)
        }
        let parts = try run.symbols.map { symbol in
            try service.datasets.bars(
                datasetID: datasetID, symbol: symbol,
                start: run.start.map { Int64($0.timeIntervalSince1970.rounded(.up)) },
                end: run.end.map { Int64($0.timeIntervalSince1970.rounded(.up)) }, maxPoints: Int(Int32.max))
        }
        do {
            return try PortfolioUniverse(
                aligning: zip(run.symbols, parts).map { symbol, part in
                    (
                        symbol,
                        try OHLCVSeries(
                            timestamps: part.time, open: part.open, high: part.high, low: part.low, close: part.close,
                            volume: part.volume)
                    )
                })
        } catch {
            throw JobFailure("the bars cannot be backtested: \(error)", retryable: false)
        }
    }

    /// Runs `PortfolioBacktester` for portfolio run `run` on its symbols' common bars.
    static func portfolio(run: Run, service: RunService) throws -> PortfolioResult {
        let universe = try universe(of: run, service: service)
        do {
            let strategy = try PortfolioRegistry.strategy(named: run.snapshot.kind, parameters: run.snapshot.parameters)
            return try PortfolioBacktester.run(
                universe, strategy: strategy, configuration: configuration(of: run),
                benchmark: try benchmark(of: run, service: service))
        } catch let error as QuantError {
            throw JobFailure("the backtest failed: \(error)", retryable: false)
        } catch let error as StrategyError {
            throw JobFailure("the run's strategy is invalid: \(error)", retryable: false)
        }
    }
}
