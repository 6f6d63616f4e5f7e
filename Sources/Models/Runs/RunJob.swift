import Foundation
import JobRuntime
import Quant

/// The job (`strategy.run`, payload `{run_id}`) that executes a queued run: a backtest at
/// once, or a paper run replayed bar by bar at its pace, publishing `run.progress`,
/// `run.equity`, `run.trade` and `run.status` on `run:{id}` and `user:{owner}`. A stopped
/// paper run ends `cancelled` with what it had done up to the bar where it stopped (the
/// engine rerun over that prefix, which equals the replay so far: every signal and fill
/// depends only on earlier bars).
public struct RunJob: JobHandler {
    /// The longest a paper replay runs (`TM_PAPER_RUN_MAX_SECONDS`), whatever its plan said: it
    /// then ends `cancelled` with what it had done, as a stop does.
    public let paperMaxSeconds: Int

    /// The handler.
    public init(paperMaxSeconds: Int = 86_400) {
        self.paperMaxSeconds = paperMaxSeconds
    }

    public func run(_ context: JobContext) throws -> JobCompletion {
        guard let runID = context.payload["run_id"]?.intValue else {
            throw JobFailure("payload.run_id is required", retryable: false)
        }
        let service = RunService(database: context.database, events: context.events, paperMaxSeconds: paperMaxSeconds)
        guard let run = try service.runs.begin(id: Int64(runID)) else {
            return JobCompletion(result: .object(["run_id": .integer(Int64(runID)), "skipped": .string("the run had already ended")]))
        }
        service.events.publish(.runStatus(run))
        let symbol = run.symbols.first ?? ""
        do {
            let ending: RunStore.Ending
            switch run.mode {
            case .backtest:
                try context.reportProgress(0, message: "loading bars")
                if PortfolioRegistry.contains(run.snapshot.kind) {
                    let result = try Self.portfolio(run: run, service: service)
                    try context.reportProgress(0.9, message: "storing results")
                    ending = RunStore.Ending(status: .succeeded, result: nil, symbol: symbol, portfolio: result)
                } else {
                    let result = try Self.backtest(run: run, service: service)
                    try context.reportProgress(0.9, message: "storing results")
                    ending = RunStore.Ending(status: .succeeded, result: result, symbol: symbol)
                }
            case .paper:
                ending = try paper(run, context: context, service: service)
            }
            // The run's results commit with the job's success: a retry never stores them twice.
            let runs = service.runs
            return JobCompletion(
                result: .object(["run_id": .integer(run.id)]),
                effects: { tx in _ = try runs.finish(id: run.id, ending, in: tx) },
                afterCommit: { if let done = try? runs.find(id: run.id, owner: nil) { service.publishEnd(done) } })
        } catch let interruption as JobInterruption {
            // Shutdown or a lost lease: the job goes back to the queue and the run starts over.
            throw interruption
        } catch {
            let failure = error as? JobFailure
            let last = context.attempt >= context.job.maxAttempts || failure?.retryable == false
            if last {
                try? end(
                    run, RunStore.Ending(status: .failed, result: nil, symbol: symbol, error: failure?.message ?? "internal error"),
                    service: service)
            }
            throw error
        }
    }

    /// Finishes `run` with `ending` and publishes its status.
    func end(_ run: Run, _ ending: RunStore.Ending, service: RunService) throws {
        if let done = try service.runs.finish(id: run.id, ending) {
            service.publishEnd(done)
        }
    }

    /// The bars of `run` (within its start and end).
    static func series(of run: Run, service: RunService) throws -> OHLCVSeries {
        guard let datasetID = run.datasetId, let symbol = run.symbols.first else {
            throw JobFailure("the run's dataset was deleted", retryable: false)
        }
        let columns = try service.datasets.bars(
            datasetID: datasetID, symbol: symbol,
            start: run.start.map { Int64($0.timeIntervalSince1970.rounded(.up)) },
            end: run.end.map { Int64($0.timeIntervalSince1970.rounded(.up)) }, maxPoints: Int(Int32.max))
        do {
            return try OHLCVSeries(
                timestamps: columns.time, open: columns.open, high: columns.high, low: columns.low,
                close: columns.close, volume: columns.volume)
        } catch {
            throw JobFailure("the bars cannot be backtested: \(error)", retryable: false)
        }
    }

    /// The benchmark's closes, if the run has one.
    static func benchmark(of run: Run, service: RunService) throws -> (timestamps: [Int64], prices: [Double])? {
        guard let benchmark = run.benchmark else { return nil }
        let columns = try service.datasets.bars(
            datasetID: benchmark.datasetId, symbol: benchmark.symbol, start: nil, end: nil,
            maxPoints: Int(Int32.max))
        return columns.time.isEmpty ? nil : (columns.time, columns.close)
    }

    /// The validated Quant strategy of `run`'s snapshot.
    static func strategy(of run: Run) throws -> Strategy {
        do {
            return try StrategyRegistry.strategy(named: run.snapshot.kind, parameters: run.snapshot.parameters)
        } catch {
            throw JobFailure("the run's strategy is invalid: \(error)", retryable: false)
        }
    }

    /// The backtest configuration of `run`'s snapshot.
    static func configuration(of run: Run) -> BacktestConfiguration {
        let trading = run.snapshot.trading
        return BacktestConfiguration(
            cash: trading.initialCapital, commission: trading.commission,
            slippageBasisPoints: trading.slippageBps, allowShort: trading.allowShort,
            periodsPerYear: RunService.periodsPerYear)
    }

    /// Backtests `series` (default: the run's bars) for `run`.
    static func backtest(run: Run, service: RunService, series given: OHLCVSeries? = nil) throws -> BacktestResult {
        let series = try given ?? Self.series(of: run, service: service)
        do {
            return try Backtester.run(
                series, strategy: try strategy(of: run), configuration: configuration(of: run),
                benchmark: try benchmark(of: run, service: service))
        } catch let error as QuantError {
            throw JobFailure("the backtest failed: \(error)", retryable: false)
        }
    }

    /// The first `count` bars of `series`.
    static func prefix(_ series: OHLCVSeries, _ count: Int) throws -> OHLCVSeries {
        try OHLCVSeries(
            timestamps: Array(series.timestamps.prefix(count)), open: Array(series.open.prefix(count)),
            high: Array(series.high.prefix(count)), low: Array(series.low.prefix(count)),
            close: Array(series.close.prefix(count)), volume: Array(series.volume.prefix(count)))
    }

    /// Replays the run's backtest bar by bar at its pace; the ending of a replay to the end.
    func paper(_ run: Run, context: JobContext, service: RunService) throws -> RunStore.Ending {
        let series = try Self.series(of: run, service: service)
        let full = try Self.backtest(run: run, service: service, series: series)
        let symbol = run.symbols.first ?? ""
        let n = series.count
        let pace = run.snapshot.barsPerSecond ?? RunService.defaultBarsPerSecond
        let interval = Duration.seconds(1 / pace)
        // At most about 20 equity events a second, the last bar always.
        let equityEvery = max(1, Int((pace / 20).rounded(.up)))
        let started = ContinuousClock.now
        var lastWrite = ContinuousClock.now - .seconds(10)
        var done = 0
        let entries = Dictionary(grouping: full.trades.indices, by: { full.trades[$0].entryBar })
        let exits = Dictionary(grouping: full.trades.indices.filter { full.trades[$0].exitBar != nil }, by: { full.trades[$0].exitBar! })
        let limit = Duration.seconds(service.paperMaxSeconds)
        do {
            for bar in 0..<n {
                if ContinuousClock.now - started >= limit {
                    // The plan was checked against the limit; a slow host or a wrong plan ends here.
                    let partial = done > 0 ? try Self.backtest(run: run, service: service, series: try Self.prefix(series, done)) : nil
                    return RunStore.Ending(
                        status: .cancelled, result: partial, symbol: symbol,
                        message:
                            "stopped at the paper-run limit of \(service.paperMaxSeconds) s (TM_PAPER_RUN_MAX_SECONDS) after \(done) of \(n) bars")
                }
                let due = started + interval * bar
                while ContinuousClock.now < due {
                    try context.checkInterruption()
                    let left = due - ContinuousClock.now
                    Thread.sleep(forTimeInterval: min(0.05, max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)))
                }
                try context.reportProgress(Double(bar + 1) / Double(n), message: "bar \(bar + 1) of \(n)")
                done = bar + 1
                let curve = full.equity
                if bar % equityEvery == 0 || bar == n - 1 {
                    service.events.publish(
                        .runEquity(
                            id: run.id, owner: run.ownerId, bar: bar, time: curve.timestamps[bar],
                            equity: curve.equity[bar], cash: curve.cash[bar], position: curve.shares[bar]))
                }
                // Exits first, then entries: a bar that closes one trade and opens the next says so in that order.
                for (event, indices) in [("exit", exits[bar] ?? []), ("entry", entries[bar] ?? [])] {
                    for index in indices {
                        let trade = full.trades[index]
                        let exit = event == "exit"
                        service.events.publish(
                            .runTrade(
                                id: run.id, owner: run.ownerId, event: event, bar: bar, seq: index,
                                side: trade.shares > 0 ? "long" : "short", shares: abs(trade.shares),
                                time: curve.timestamps[bar], price: exit ? trade.exitPrice : trade.entryPrice, netPnl: exit ? trade.profit : nil))
                    }
                }
                if ContinuousClock.now - lastWrite >= .seconds(1) || bar == n - 1 {
                    lastWrite = ContinuousClock.now
                    let progress = Double(done) / Double(n)
                    try? service.runs.recordProgress(id: run.id, progress: progress, bars: done, message: "bar \(done) of \(n)")
                    service.events.publish(.runProgress(id: run.id, owner: run.ownerId, progress: progress, bars: done, of: n))
                }
            }
        } catch JobInterruption.cancelled {
            let partial = done > 0 ? try? Self.backtest(run: run, service: service, series: try Self.prefix(series, done)) : nil
            try end(
                run, RunStore.Ending(status: .cancelled, result: partial, symbol: symbol, message: "stopped after \(done) of \(n) bars"),
                service: service)
            throw JobInterruption.cancelled
        }
        return RunStore.Ending(status: .succeeded, result: full, symbol: symbol, message: "replayed \(n) bars")
    }
}
