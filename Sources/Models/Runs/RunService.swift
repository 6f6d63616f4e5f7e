import Foundation
import JobRuntime
import PostgresClient
import Quant
import Realtime

/// Runs of strategies: planning a run from a request (validating it against the strategy and
/// the data), queueing it for a worker, running a backtest synchronously, and stopping a
/// strategy's live runs. The work itself is ``RunJob``.
public struct RunService: Sendable {
    /// The job kind that executes runs.
    public static let jobKind = "strategy.run"
    /// Paper runs' pace when none is asked for.
    public static let defaultBarsPerSecond = 10.0
    /// The paces a paper run accepts.
    public static let barsPerSecondRange = 0.1...1000.0
    /// Periods per year for the metrics of a run's equity (as `tm backtest`'s default).
    public static let periodsPerYear = 252.0

    /// The database.
    public let database: Database
    /// Runs.
    public let runs: RunStore
    /// Datasets (the bars).
    public let datasets: DatasetStore
    /// The job queue.
    public let queue: JobQueue
    /// Where run events go.
    public let events: any EventPublisher
    /// The longest a paper run may last in seconds (`TM_PAPER_RUN_MAX_SECONDS`): a longer plan
    /// (bars / bars_per_second) is refused, and a replay still running then is stopped.
    public let paperMaxSeconds: Int

    /// A service over `database`, publishing through `events`, queueing on `queue` (by
    /// default a queue over `database` without a per-owner limit), with paper runs of at most
    /// `paperMaxSeconds`, reading bars through `datasets` (default: a store over `database`).
    public init(
        database: Database, events: any EventPublisher = NoEventPublisher(), queue: JobQueue? = nil, paperMaxSeconds: Int = 86_400,
        datasets: DatasetStore? = nil
    ) {
        self.database = database
        self.runs = RunStore(database: database)
        self.datasets = datasets ?? DatasetStore(database: database)
        self.queue = queue ?? JobQueue(database: database, events: events)
        self.events = events
        self.paperMaxSeconds = paperMaxSeconds
    }

    /// `seconds` as RFC 3339.
    static func iso8601(_ seconds: Int64) -> String {
        let text = TimestampFormatter.iso8601(seconds)
        return text.contains("T") ? text : text + "T00:00:00Z"
    }

    /// Validates `request` for `strategy` (a builtin strategy of the run's owner) into a run
    /// draft: ``RunError/invalid(_:)`` naming each bad field, ``RunError/datasetNotFound(pointer:id:)``
    /// for a dataset that is not the owner's, ``RunError/notExecutable(_:)`` for a trademaster
    /// strategy.
    public func plan(strategy: StrategyRecord, request: RunRequest) throws -> RunDraft {
        guard strategy.engine == .builtin, let kind = strategy.kind else {
            throw RunError.notExecutable("A trademaster strategy is trained by the TradeMaster service, not executed here.")
        }
        return try plan(
            owner: strategy.ownerId, strategyID: strategy.id, name: strategy.name, version: strategy.version, kind: kind,
            parameters: strategy.parameters, strategyType: strategy.strategyType, trading: strategy.trading, request: request)
    }

    /// Validates `request` for an inline strategy (`kind` and `parameters`, already validated
    /// by ``StrategyValidator/validateParameters(kind:_:issues:)``) of `owner`.
    public func plan(
        owner: Int64, strategyID: Int64?, name: String?, version: Int64?, kind: String, parameters: [String: Double],
        strategyType: StrategyType = .algorithmicTrading, trading defaults: TradingDefaults, request: RunRequest
    ) throws -> RunDraft {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) {
            issues.append(ValidationIssue(field: field, code: "run" + field.replacing("/", with: "."), message: message))
        }
        let trading = TradingDefaults(
            initialCapital: request.initialCapital ?? defaults.initialCapital,
            commission: request.commission ?? defaults.commission,
            slippageBps: request.slippageBps ?? defaults.slippageBps,
            allowShort: request.allowShort ?? defaults.allowShort)
        issues += trading.issues(at: "")
        if let start = request.start, let end = request.end, start >= end { issue("/start", "must be before end") }
        var barsPerSecond: Double?
        switch request.mode {
        case .backtest:
            if request.barsPerSecond != nil { issue("/bars_per_second", "is only for mode paper") }
        case .paper:
            let pace = request.barsPerSecond ?? Self.defaultBarsPerSecond
            if !(pace.isFinite && Self.barsPerSecondRange.contains(pace)) {
                issue("/bars_per_second", "must be a number in \(Self.barsPerSecondRange.lowerBound)...\(Self.barsPerSecondRange.upperBound)")
            }
            barsPerSecond = pace
        }
        if request.datasetID <= 0 { throw RunError.datasetNotFound(pointer: "/dataset_id", id: request.datasetID) }
        guard let dataset = try datasets.find(id: request.datasetID, owner: owner) else {
            throw RunError.datasetNotFound(pointer: "/dataset_id", id: request.datasetID)
        }
        let portfolio = PortfolioRegistry.contains(kind)
        var symbol = ""
        if portfolio {
            // A portfolio kind trades two or more of the dataset's symbols, always named by `/symbols`.
            if request.mode == .paper { issue("/mode", "a portfolio kind (\(kind)) runs in mode backtest only") }
            let missing = request.symbols.filter { !dataset.symbols.contains($0) }
            if request.symbols.count < 2 {
                issue(
                    "/symbols",
                    "a portfolio kind (\(kind)) needs two or more symbols of dataset \(dataset.id) (it has \(dataset.symbols.prefix(20).joined(separator: ", ")))"
                )
            } else if Set(request.symbols).count != request.symbols.count {
                issue("/symbols", "names a symbol twice")
            } else if request.symbols.count > 100 {
                issue("/symbols", "at most 100 symbols")
            } else if let first = missing.first {
                issue(
                    "/symbols",
                    "dataset \(dataset.id) has no symbol \"\(first.prefix(64))\" (it has \(dataset.symbols.prefix(20).joined(separator: ", ")))")
            }
            symbol = request.symbols.first ?? ""
        } else {
            switch request.symbols.count {
            case 0: issue("/symbol", "is required (one of \(dataset.symbols.prefix(20).joined(separator: ", ")))")
            case 1:
                symbol = request.symbols[0]
                if !dataset.symbols.contains(symbol) {
                    issue(
                        request.symbolPointer,
                        "dataset \(dataset.id) has no symbol \"\(symbol.prefix(64))\" (it has \(dataset.symbols.prefix(20).joined(separator: ", ")))")
                }
            default: issue(request.symbolPointer, "a \(kind) run trades one symbol; give one")
            }
        }
        var benchmark: RunBenchmark?
        if let wanted = request.benchmark {
            guard wanted.datasetId > 0, let other = try datasets.find(id: wanted.datasetId, owner: owner) else {
                throw RunError.datasetNotFound(pointer: "/benchmark/dataset_id", id: wanted.datasetId)
            }
            if !other.symbols.contains(wanted.symbol) {
                issue("/benchmark/symbol", "dataset \(other.id) has no symbol \"\(wanted.symbol.prefix(64))\"")
            }
            benchmark = wanted
        }
        guard issues.isEmpty else { throw RunError.invalid(issues) }
        let traded = portfolio ? request.symbols : [symbol]
        // A portfolio trades on the bars its symbols share: at most the fewest any one has.
        var bars = Int.max
        for name in traded {
            bars = min(bars, try barCount(datasetID: dataset.id, symbol: name, start: request.start, end: request.end))
            if portfolio && bars < Self.minimumBars(parameters) { symbol = name }
        }
        let needed = Self.minimumBars(parameters)
        if bars < needed {
            let windows = parameters.filter { Self.windowNames.contains($0.key) }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(Int($0.value))" }.joined(separator: ", ")
            let range = request.start != nil || request.end != nil ? " between start and end" : ""
            issue(
                "/dataset_id", "has \(bars) bars of \(symbol)\(range); \(kind)\(windows.isEmpty ? "" : " with \(windows)") needs at least \(needed)")
            throw RunError.invalid(issues)
        }
        if let pace = barsPerSecond, Double(bars) / pace > Double(paperMaxSeconds) {
            let fastest = RunService.barsPerSecondRange.upperBound
            let needed = (Double(bars) / Double(paperMaxSeconds) * 10).rounded(.up) / 10
            let remedy =
                needed <= fastest
                ? "give bars_per_second of at least \(needed), or fewer bars (start/end)" : "give fewer bars (start/end)"
            issue(
                "/bars_per_second",
                "\(bars) bars at \(pace) a second take \(Int((Double(bars) / pace).rounded(.up))) s, longer than a paper run may last "
                    + "(\(paperMaxSeconds) s, TM_PAPER_RUN_MAX_SECONDS): \(remedy)")
            throw RunError.invalid(issues)
        }
        let snapshot = RunSnapshot(
            name: name, kind: kind, parameters: parameters, strategyType: strategyType, engine: .builtin,
            trading: trading, version: version, barsPerSecond: barsPerSecond)
        var draft = RunDraft(
            ownerID: owner, strategyID: strategyID, datasetID: dataset.id, mode: request.mode, symbol: symbol,
            start: request.start, end: request.end, snapshot: snapshot, benchmark: benchmark, bars: bars, symbols: traded)
        if let benchmark {
            // The backtest loads the benchmark's whole symbol (``RunJob/benchmark(of:service:)``).
            draft.benchmarkBars = try barCount(datasetID: benchmark.datasetId, symbol: benchmark.symbol, start: nil, end: nil)
        }
        return draft
    }

    /// Parameters that are windows over bars.
    static let windowNames: Set<String> = ["fast", "slow", "window", "lookback"]

    /// The fewest bars a strategy with `parameters` can trade on: one more than its longest
    /// window, and at least 2.
    static func minimumBars(_ parameters: [String: Double]) -> Int {
        let longest = parameters.filter { windowNames.contains($0.key) }.map { Int($0.value) }.max() ?? 0
        return max(2, longest + 1)
    }

    /// Bars of `symbol` in `[start, end)`.
    func barCount(datasetID: Int64, symbol: String, start: Date?, end: Date?) throws -> Int {
        let (from, to) = (start.map { Int64($0.timeIntervalSince1970.rounded(.up)) }, end.map { Int64($0.timeIntervalSince1970.rounded(.up)) })
        return try datasets.barCount(datasetID: datasetID, symbol: symbol, start: from, end: to)
    }

    /// Inserts `draft` as a queued run with its job on `connection` (inside the caller's
    /// transaction, e.g. the idempotency key's). Call ``announce(_:)`` after the commit.
    public func enqueue(_ draft: RunDraft, in tx: Transaction) throws -> (run: Run, job: Job) {
        let run = try runs.insert(draft, status: .queued, in: tx)
        let job = try queue.enqueue(
            JobQueue.Draft(
                kind: Self.jobKind, payload: .object(["run_id": .integer(run.id)]), ownerID: draft.ownerID,
                maxAttempts: draft.mode == .paper ? 1 : 3), in: tx)[0]
        return (try runs.attach(job: job.id, to: run.id, in: tx), job)
    }

    /// Publishes a committed ``enqueue(_:in:)``: the job's and the run's `queued` status, and
    /// the strategy's `active`.
    public func announce(_ queued: (run: Run, job: Job)) {
        queue.announce([queued.job])
        events.publish(.runStatus(queued.run))
        if let strategy = queued.run.strategyId {
            events.publish(.strategyStatus(id: strategy, owner: queued.run.ownerId, status: .active))
        }
    }

    /// Publishes `run`'s status and, when it has one, its strategy's status now.
    public func publishEnd(_ run: Run) {
        events.publish(.runStatus(run))
        guard let strategy = run.strategyId,
            let text = try? database.query("SELECT status FROM strategies WHERE id = \(strategy)").first?.decode("status", as: String.self),
            let status = StrategyStatus(rawValue: text)
        else { return }
        events.publish(.strategyStatus(id: strategy, owner: run.ownerId, status: status))
    }

    /// Runs the backtest of `draft` now, on this thread, inside the caller's transaction (the
    /// command's): the run is inserted, backtested and finished there, so nothing of it is
    /// stored when anything throws. Call ``publishEnd(_:)`` with the run after the commit.
    public func backtestNow(_ draft: RunDraft, in tx: Transaction) throws -> (run: Run, result: BacktestResult) {
        var draft = draft
        draft.mode = .backtest
        draft.snapshot.barsPerSecond = nil
        let run = try runs.insert(draft, status: .running, in: tx)
        let result = try RunJob.backtest(run: run, service: self)
        guard let done = try runs.finish(id: run.id, RunStore.Ending(status: .succeeded, result: result, symbol: draft.symbol), in: tx) else {
            throw JobFailure("run \(run.id) ended meanwhile", retryable: false)
        }
        return (done, result)
    }

    /// Cancels job `job` (at once when queued, at its next progress report when running).
    /// Kept out of line: inlined into ``stop(strategyID:wait:)``, the discarded outcome made
    /// Swift 6.3.1's optimizer crash (CopyPropagation) in release builds.
    @inline(never)
    func requestCancel(job: Int64) throws {
        switch try queue.cancel(id: job, owner: nil) {
        case .cancelled, .requested, .finished, .notFound: return
        }
    }

    /// Stops every live run of `strategyID`: queued ones at once, running ones at their next
    /// bar (waiting up to `wait` seconds for them to end). Returns those runs as they are then.
    public func stop(strategyID: Int64, wait: Double = 3) throws -> [Run] {
        let live = try runs.liveRuns(strategyID: strategyID)
        for run in live {
            if run.status == .queued,
                let cancelled = try runs.finish(
                    id: run.id,
                    RunStore.Ending(
                        status: .cancelled, result: nil, symbol: run.symbols.first ?? "",
                        message: "stopped before it started"))
            {
                publishEnd(cancelled)
            }
            if let job = run.jobId { try requestCancel(job: job) }
        }
        let deadline = Date().addingTimeInterval(wait)
        var current = try live.compactMap { try runs.find(id: $0.id, owner: nil) }
        while current.contains(where: { !$0.status.isFinished }) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            current = try live.compactMap { try runs.find(id: $0.id, owner: nil) }
        }
        try runs.settle(strategyID: strategyID)
        return current
    }
}
