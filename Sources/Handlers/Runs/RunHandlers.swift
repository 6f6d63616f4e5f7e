import Foundation
import JobRuntime
import Models
import TMFcgi

/// Routes under `/api/v1/runs`: the caller's runs (every run for admins), one run, its
/// trades and equity curve, and deleting a finished run.
struct RunHandlers: Sendable {
    let runs: RunStore

    /// The query parameters of run lists.
    static let listQuery: [RouteDoc.QueryParameter] = [
        .choice("status", JobStatus.allCases.map(\.rawValue), "Only runs with this status."),
        .choice("mode", RunMode.allCases.map(\.rawValue), "Only runs of this mode."),
    ]

    /// Parses the run filters and paging of `request`, or throws a 422 naming each bad one.
    static func listParameters(_ request: Request) throws -> (page: PageRequest, status: JobStatus?, mode: RunMode?) {
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let status = QueryValue.choice(query, "status", JobStatus.self, errors: &errors)
        let mode = QueryValue.choice(query, "mode", RunMode.self, errors: &errors)
        try QueryValue.check(errors)
        return (page, status, mode)
    }

    /// The caller's run of the path's id, or 404.
    func run(_ context: AuthenticatedContext) throws -> Run {
        try context.owned({ try runs.find(id: $0, owner: $1) }, orThrow: { _ in RunError.notFound })
    }

    /// `GET /api/v1/runs`.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<Run> {
        let principal = context.principal
        let (page, status, mode) = try Self.listParameters(request)
        let (items, total) = try runs.list(
            owner: principal.ownerScope, strategyID: nil, status: status, mode: mode,
            limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/runs/:id`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> Run {
        try run(context)
    }

    /// `GET /api/v1/runs/:id/trades`.
    public func trades(_ request: Request, _ context: AuthenticatedContext) throws -> Page<RunTrade> {
        let run = try run(context)
        var errors: [FieldError] = []
        let page = PageRequest.parse(try request.queryItems, errors: &errors)
        try QueryValue.check(errors)
        let (items, total) = try runs.trades(runID: run.id, limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/runs/:id/equity?max_points=`: empty until the run has results.
    public func equity(_ request: Request, _ context: AuthenticatedContext) throws -> RunEquity {
        let run = try run(context)
        var errors: [FieldError] = []
        let maxPoints = QueryValue.integer(try request.queryItems, "max_points", 2...10_000, errors: &errors) ?? 1000
        try QueryValue.check(errors)
        guard let series = try runs.series(runID: run.id) else {
            return RunEquity(runId: run.id, totalPoints: 0, maxPoints: maxPoints, points: [])
        }
        return RunEquity(
            runId: run.id, totalPoints: series.times.count, maxPoints: maxPoints,
            points: series.equityPoints(maxPoints: maxPoints))
    }

    /// `DELETE /api/v1/runs/:id`: 204; 409 while the run is live.
    public func delete(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let run = try run(context)
        try runs.delete(id: run.id, owner: run.ownerId)
        return NoContent()
    }
}
