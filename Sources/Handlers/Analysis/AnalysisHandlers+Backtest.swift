import Foundation
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
            guard id > 0, let strategy = try strategies.find(id: id, scope: principal.ownerScope) else {
                throw Problem(.notFound, detail: "No strategy \(id) of yours (strategy_id).",
                              errors: [FieldError(pointer: "/strategy_id", detail: "no such strategy of yours")])
            }
            return try service.plan(strategy: strategy, request: request)
        case (nil, let inline?):
            var issues: [ValidationIssue] = []
            let parameters = StrategyValidator.validateParameters(kind: inline.kind, inline.parameters ?? [:], issues: &issues)
            guard issues.isEmpty else {
                throw Problem.validation(issues.map { FieldError(pointer: "/strategy" + $0.field, detail: $0.message) })
            }
            return try service.plan(owner: principal.userID, strategyID: nil, name: nil, version: nil, kind: inline.kind,
                                    parameters: parameters, trading: TradingDefaults(), request: request)
        case (nil, nil):
            throw Problem.validation([FieldError(pointer: "/strategy_id", detail: "give strategy_id or strategy {kind, parameters}")])
        case (_?, _?):
            throw Problem.validation([FieldError(pointer: "/strategy", detail: "give strategy_id or strategy, not both")])
        }
    }

    /// `POST /api/v1/analysis/backtest`.
    public func backtest(_ request: Request, _ context: AppContext) throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try request.decode(AnalysisBacktestBody.self)
        let draft = try draft(body, principal: principal)
        guard draft.bars <= syncMaxBars else {
            let run = try service.execute(draft)
            metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "backtest_queued")]))
            var response = try JSONCoding.response(BacktestAnswer(runId: run.id, run: run), status: .accepted)
            response.headers.add("Location", "/api/v1/runs/\(run.id)")
            return response
        }
        let (run, result) = try service.backtestNow(draft)
        let curve = result.equity
        let drawdown = RunSeries(times: curve.timestamps, equity: curve.equity, cash: curve.cash,
                                 position: curve.shares.map(Int64.init)).drawdown
        let points = Downsampling.indices(count: curve.timestamps.count, maxPoints: Self.equityPoints).map { i in
            EquityPoint(time: Date(timeIntervalSince1970: Double(curve.timestamps[i])), equity: MetricSet.finite(curve.equity[i]),
                        drawdown: MetricSet.finite(drawdown[i]), position: Int64(curve.shares[i]))
        }
        let answer = BacktestAnswer(
            runId: run.id, run: run, metrics: MetricSet(result.metrics, timestamps: curve.timestamps),
            tradeStatistics: .init(TradeStatistics(trades: result.trades, positions: curve.shares)),
            trades: try service.runs.allTrades(runID: run.id), equity: points)
        metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "backtest_sync")]))
        return try JSONCoding.response(answer, status: .ok)
    }
}
