import Foundation
import JobRuntime
import Metrics
import Models
import TMFcgi

/// Running strategies: `POST /api/v1/strategies/:id/execute` (202 with the queued run,
/// `Idempotency-Key` honoured), `POST /api/v1/strategies/:id/stop`, and
/// `GET /api/v1/strategies/:id/runs`.
struct StrategyRunHandlers: Sendable {
    let strategies: StrategyStore
    let service: RunService
    let idempotency: IdempotencyStore
    let metrics: MetricsRegion?

    /// The caller's strategy of the path's id, or 404.
    func strategy(_ context: AuthenticatedContext) throws -> StrategyRecord {
        let principal = context.principal
        let id = try context.parameters.require("id", as: Int64.self)
        guard id > 0, let strategy = try strategies.find(id: id, owner: principal.ownerScope) else {
            throw StrategyRecordError.notFound
        }
        return strategy
    }

    /// `POST /api/v1/strategies/:id/execute`.
    public func execute(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let strategy = try strategy(context)
        let (body, meaning) = try request.decodeWithMeaning(ExecuteBody.self)
        let draft = try service.plan(strategy: strategy, request: try body.request())
        let route = "POST /api/v1/strategies/\(strategy.id)/execute"
        return try IdempotentCommand(store: idempotency).run(request, owner: strategy.ownerId, route: route, meaning: meaning) { tx in
            let queued = try service.enqueue(draft, in: tx)
            return try IdempotentCommand.Done(queued.run, status: .accepted, location: "/api/v1/runs/\(queued.run.id)") { [service, metrics] in
                service.announce(queued)
                metrics?.add(MetricCatalog.series(MetricCatalog.runsStarted, [("mode", draft.mode.rawValue)]))
            }
        }
    }

    /// `POST /api/v1/strategies/:id/stop`: the runs it stopped (none is not an error).
    public func stop(_ request: Request, _ context: AuthenticatedContext) throws -> RunList {
        let strategy = try strategy(context)
        return RunList(items: try service.stop(strategyID: strategy.id))
    }

    /// `GET /api/v1/strategies/:id/runs`.
    public func runs(_ request: Request, _ context: AuthenticatedContext) throws -> Page<Run> {
        let strategy = try strategy(context)
        let (page, status, mode) = try RunHandlers.listParameters(request)
        let (items, total) = try service.runs.list(
            owner: strategy.ownerId, strategyID: strategy.id, status: status, mode: mode,
            limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }
}
