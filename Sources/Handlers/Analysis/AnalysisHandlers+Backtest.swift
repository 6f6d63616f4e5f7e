import Foundation
import JobRuntime
import Metrics
import Models
import Quant
import TMFcgi

extension AnalysisHandlers {
    /// Points of the equity curve in a synchronous backtest's answer.
    static let equityPoints = 1000

    /// The run draft of `body`: the caller's strategy (404 naming `/strategy_id`) or an inline
    /// one validated like a strategy's (422 naming `/strategy/kind` or `/strategy/parameters/…`).
    func draft(_ body: AnalysisBacktestBody, principal: Principal) throws -> RunDraft {
        let request = try body.request()
        switch (body.strategyId, body.strategy) {
        case (let id?, nil):
            guard id > 0, let strategy = try strategies.find(id: id, owner: principal.ownerScope) else {
                throw Problem.notYours("strategy", id, at: "/strategy_id")
            }
            if let kind = strategy.kind, PortfolioRegistry.contains(kind) {
                throw Problem.validation([FieldError(pointer: "/strategy_id", detail: Self.portfolioRule(kind))])
            }
            return try service.plan(strategy: strategy, request: request)
        case (nil, let inline?):
            if PortfolioRegistry.contains(inline.kind) {
                throw Problem.validation([FieldError(pointer: "/strategy/kind", detail: Self.portfolioRule(inline.kind))])
            }
            var issues: [ValidationIssue] = []
            let parameters = StrategyValidator.validateParameters(kind: inline.kind, inline.parameters ?? [:], issues: &issues)
            guard issues.isEmpty else {
                throw Problem.validation(issues.map { FieldError(pointer: "/strategy" + $0.field, detail: $0.message) })
            }
            return try service.plan(
                owner: principal.userID, strategyID: nil, name: nil, version: nil, kind: inline.kind,
                parameters: parameters, trading: TradingDefaults(), request: request)
        case (nil, nil):
            throw Problem.validation([FieldError(pointer: "/strategy_id", detail: "give strategy_id or strategy {kind, parameters}")])
        case (_?, _?):
            throw Problem.validation([FieldError(pointer: "/strategy", detail: "give strategy_id or strategy, not both")])
        }
    }

    /// Why a portfolio kind is refused here.
    static func portfolioRule(_ kind: String) -> String {
        "\(kind) is a portfolio kind: execute a portfolio_management strategy with symbols (POST /api/v1/strategies/{id}/execute)"
    }

    /// The route an idempotency key of this handler is kept under.
    static let idempotencyRoute = "POST /api/v1/analysis/backtest"

    /// `POST /api/v1/analysis/backtest`. With `Idempotency-Key`, a retry (same key, same body)
    /// answers the first answer, 200 or 202, without a second run; another body is 422.
    public func backtest(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let (body, meaning) = try request.decodeWithMeaning(AnalysisBacktestBody.self)
        let draft = try draft(body, principal: principal)
        // The bars it loads, its benchmark's included, are counted before anything is loaded.
        let queue = draft.loadedBars > syncMaxBars
        // A synchronous backtest runs inside the command's transaction (bounded by
        // `TM_SYNC_MAX_BARS`, which counts the benchmark's bars too): its run is stored exactly with its answer.
        let command = IdempotentCommand(store: IdempotencyStore(database: service.database))
        return try command.run(request, owner: principal.userID, route: Self.idempotencyRoute, meaning: meaning) { tx in
            if queue {
                let queued = try service.enqueue(draft, in: tx)
                return try IdempotentCommand.Done(
                    BacktestAnswer(runId: queued.run.id, run: queued.run), status: .accepted,
                    location: "/api/v1/runs/\(queued.run.id)"
                ) { [service, metrics] in
                    service.announce(queued)
                    metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "backtest_queued")]))
                }
            }
            let (run, result) = try service.backtestNow(draft, in: tx)
            return IdempotentCommand.Done(body: try answerBody(run, result, symbol: draft.symbol), status: .ok) { [service, metrics] in
                service.publishEnd(run)
                metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "backtest_sync")]))
            }
        }
    }

    /// The JSON of ``answer(_:_:)``, its trades written by ``TradesJSON`` (the same bytes as
    /// the encoder's, in a tenth of the time): the rest is encoded with `trades: []`, which
    /// sorted keys put last (`…,"trades":[]}`), and the trades go in its place.
    func answerBody(_ run: Run, _ result: BacktestResult, symbol: String) throws -> [UInt8] {
        var answer = answer(run, result, symbol: symbol)
        guard let trades = answer.trades, let json = TradesJSON.encode(trades) else { return try JSONCoding.response(answer, status: .ok).body }
        answer.trades = []
        var body = try JSONCoding.response(answer, status: .ok).body
        let tail = Array(#""trades":[]}"#.utf8)
        guard body.count >= tail.count, body[(body.count - tail.count)...].elementsEqual(tail) else {
            answer.trades = trades
            return try JSONCoding.response(answer, status: .ok).body
        }
        body.removeLast(3)
        body += json
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// The 200 answer of a finished synchronous backtest of `symbol`. Its trades are the ones
    /// the request has just stored, built from `result` as they read back, not read again.
    func answer(_ run: Run, _ result: BacktestResult, symbol: String) -> BacktestAnswer {
        let curve = result.equity
        let points = RunSeries(
            times: curve.timestamps, equity: curve.equity, cash: curve.cash,
            position: curve.shares.map(Int64.init)
        ).equityPoints(maxPoints: Self.equityPoints)
        return BacktestAnswer(
            runId: run.id, run: run, metrics: MetricSet(result.metrics, timestamps: curve.timestamps),
            tradeStatistics: .init(TradeStatistics(trades: result.trades, positions: curve.shares)),
            trades: RunStore.runTrades(of: result, symbol: symbol), equity: points)
    }
}
