import Foundation
import JobRuntime
import PostgresClient
import Quant
import Support

extension RunStore {
    /// Inserts `draft` as a run of `status` (`queued` for a job, `running` for a synchronous
    /// backtest) on `connection`, and marks its strategy `active` with `last_run_at` now.
    public func insert(_ draft: RunDraft, status: JobStatus, in tx: Transaction) throws -> Run {
        let snapshot = try StrategyStore.json(draft.snapshot)
        let benchmark = try draft.benchmark.map(StrategyStore.json)
        let symbols = try StrategyStore.json(draft.symbols)
        let rows = try tx.query(
            """
            INSERT INTO runs (owner_id, strategy_id, strategy_version, dataset_id, mode, status, symbols, start_time, end_time,
                              snapshot, benchmark, started_at)
            VALUES (\(draft.ownerID), \(draft.strategyID), \(draft.snapshot.version), \(draft.datasetID), \(draft.mode.rawValue),
                    \(status.rawValue), ARRAY(SELECT jsonb_array_elements_text(\(symbols)::jsonb)), \(draft.start)::timestamptz,
                    \(draft.end)::timestamptz, \(snapshot)::jsonb, \(benchmark)::jsonb,
                    CASE WHEN \(status.rawValue) = 'running' THEN now() END)
            RETURNING \(unsafeFragment: Self.selection)
            """)
        if let strategyID = draft.strategyID {
            try tx.execute(
                """
                UPDATE strategies SET status = 'active', last_run_at = now() WHERE id = \(strategyID)
                """)
        }
        return try Self.run(from: rows[0])
    }

    /// Records the job executing run `id`, on `connection`.
    func attach(job: Int64, to id: Int64, in tx: Transaction) throws -> Run {
        let rows = try tx.query(
            """
            UPDATE runs SET job_id = \(job), updated_at = now() WHERE id = \(id) RETURNING \(unsafeFragment: Self.selection)
            """)
        return try Self.run(from: rows[0])
    }

    /// Marks run `id` running (again, after a retry); nil when it has ended meanwhile.
    public func begin(id: Int64) throws -> Run? {
        try database.query(
            """
            UPDATE runs SET status = 'running', started_at = coalesce(started_at, now()), progress = 0, bars_processed = 0,
                message = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'running')
            RETURNING \(unsafeFragment: Self.selection)
            """
        ).first.map(Self.run(from:))
    }

    /// Records the progress of running run `id` (best effort).
    public func recordProgress(id: Int64, progress: Double, bars: Int, message: String?) throws {
        try database.execute(
            """
            UPDATE runs SET progress = \(min(max(progress, 0), 1)), bars_processed = \(bars), message = \(message), updated_at = now()
            WHERE id = \(id) AND status = 'running'
            """)
    }

    /// How a run ended.
    public struct Ending: Sendable {
        /// `succeeded`, `failed` or `cancelled`.
        public var status: JobStatus
        /// What it produced (a stopped paper run: up to where it stopped); nil when nothing.
        public var result: BacktestResult?
        /// What a portfolio run produced (instead of `result`).
        public var portfolio: PortfolioResult?
        /// The symbol of the result's trades.
        public var symbol: String
        /// Why it failed.
        public var error: String?
        /// A short message.
        public var message: String?

        /// An ending from its parts.
        public init(
            status: JobStatus, result: BacktestResult?, symbol: String, error: String? = nil, message: String? = nil,
            portfolio: PortfolioResult? = nil
        ) {
            self.status = status
            self.result = result
            self.portfolio = portfolio
            self.symbol = symbol
            self.error = error
            self.message = message
        }
    }

    /// Ends live run `id` with `ending` in one transaction: its trades and series, summary and
    /// metrics, and its strategy's `performance` (after a success) and `status` (when no other
    /// run of it is live: `stopped` after a success or a stop, `error` after a failure; a
    /// strategy its owner paused meanwhile stays paused). Nil when the run had already ended.
    public func finish(id: Int64, _ ending: Ending) throws -> Run? {
        try database.transaction { tx in try finish(id: id, ending, in: tx) }
    }

    /// ``finish(id:_:)`` on `connection`, inside the caller's transaction.
    public func finish(id: Int64, _ ending: Ending, in tx: Transaction) throws -> Run? {
        let headline = ending.result.map(RunSummary.init) ?? ending.portfolio.map(RunSummary.init(portfolio:))
        let summary = try headline.map { try StrategyStore.json($0) }
        let metrics =
            ending.result.flatMap { JSONDocument(json: $0.metrics.json(timestamps: $0.equity.timestamps).rendered()) }
            ?? ending.portfolio.flatMap { JSONDocument(json: $0.metrics.json(timestamps: $0.timestamps).rendered()) }
        let bars = ending.result?.equity.equity.count ?? ending.portfolio?.equity.count
        // The strategy's row first: runs of one strategy end one at a time, so the last to
        // end sees every other one ended (without the lock, two ending together each saw
        // the other live and the strategy stayed `active` for good).
        try Self.lockStrategy(ofRun: id, in: tx)
        let rows = try tx.query(
            """
            UPDATE runs SET status = \(ending.status.rawValue), summary = \(summary)::jsonb, metrics = \(metrics)::jsonb,
                error = \(ending.error), message = \(ending.message), finished_at = now(), updated_at = now(),
                progress = CASE WHEN \(ending.status.rawValue) = 'succeeded' THEN 1 ELSE progress END,
                bars_processed = coalesce(\(bars)::bigint, bars_processed)
            WHERE id = \(id) AND status IN ('queued', 'running')
            RETURNING \(unsafeFragment: Self.selection)
            """)
        guard let row = rows.first else { return nil }
        let run = try Self.run(from: row)
        if let result = ending.result {
            try Self.storeResults(result, symbol: ending.symbol, runID: id, in: tx)
        } else if let portfolio = ending.portfolio {
            try Self.storeResults(portfolio, runID: id, in: tx)
        }
        if let strategyID = run.strategyId {
            let after: StrategyStatus = ending.status == .failed ? .error : .stopped
            let performance = try headline.flatMap { s -> JSONB? in
                guard ending.status == .succeeded else { return nil }
                return try StrategyStore.json(
                    StrategyPerformance(
                        runId: id, totalReturn: s.totalReturn, sharpe: s.sharpe,
                        maxDrawdown: s.maxDrawdown, winRate: s.winRate))
            }
            try tx.execute(
                """
                UPDATE strategies SET
                    status = CASE WHEN status = 'active' AND NOT EXISTS (
                                 SELECT 1 FROM runs WHERE strategy_id = \(strategyID) AND status IN ('queued', 'running') AND id <> \(id))
                             THEN \(after.rawValue) ELSE status END,
                    performance = coalesce(\(performance)::jsonb, performance)
                WHERE id = \(strategyID)
                """)
        }
        return run
    }

    /// Sets strategy `strategyID` `stopped` when it reads `active` with no live run (what
    /// `POST /strategies/:id/stop` does after stopping its runs, so a status left wrong by
    /// any cause is put right by a stop). True when it changed.
    @discardableResult
    public func settle(strategyID: Int64) throws -> Bool {
        try database.transaction { tx in
            try Self.lockStrategy(strategyID, in: tx)
            return try tx.execute(
                """
                UPDATE strategies SET status = 'stopped'
                WHERE id = \(strategyID) AND status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM runs WHERE strategy_id = \(strategyID) AND status IN ('queued', 'running'))
                """) == 1
        }
    }

    /// Locks the row of run `id`'s strategy until the transaction ends (nothing when it has none).
    static func lockStrategy(ofRun id: Int64, in tx: Transaction) throws {
        _ = try tx.query(
            """
            SELECT 1 AS locked FROM strategies WHERE id = (SELECT strategy_id FROM runs WHERE id = \(id)) FOR UPDATE
            """)
    }

    /// Locks strategy `id`'s row until the transaction ends. A statement after it sees every
    /// run that ended under the lock before (read committed: each statement its own snapshot).
    static func lockStrategy(_ id: Int64, in tx: Transaction) throws {
        _ = try tx.query("SELECT 1 AS locked FROM strategies WHERE id = \(id) FOR UPDATE")
    }
}
