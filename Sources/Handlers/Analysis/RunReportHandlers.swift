import Foundation
import Metrics
import Models
import Quant
import Support
import TMFcgi

/// `GET /api/v1/runs/:id/report.html` (the tear sheet) and `GET /api/v1/runs/:id/equity.svg`.
struct RunReportHandlers: Sendable {
    let analysis: AnalysisHandlers

    /// The tear sheet of the path's run (404 when not the caller's, 409 before it has results).
    func sheet(_ context: AuthenticatedContext) throws -> TearSheet {
        let id = try context.owned({ try analysis.service.runs.find(id: $0, owner: $1)?.id }, orThrow: { _ in RunError.notFound })
        let principal = context.principal
        let loader = analysis.loader
        var curve = try loader.run(id, pointer: "id", principal: principal)
        try loader.attachOwnBenchmark(&curve)
        let periods = RunService.periodsPerYear
        var aligned: [Double]?
        if let b = curve.benchmark {
            let byTime = Dictionary(zip(b.timestamps, b.prices), uniquingKeysWith: { first, _ in first })
            aligned = curve.timestamps.map { byTime[$0] ?? .nan }
        }
        let run = curve.run
        let snapshot = run?.snapshot
        let parameters = (snapshot?.parameters ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \(JSONDocument.finite($0.value).rendered())" }
        let first = curve.timestamps.first.map { String(TimestampFormatter.iso8601($0).prefix(10)) } ?? ""
        let last = curve.timestamps.last.map { String(TimestampFormatter.iso8601($0).prefix(10)) } ?? ""
        return TearSheet(
            title: "Run \(id): \(snapshot?.name ?? snapshot?.kind ?? "run") on \(run?.symbols.joined(separator: ", ") ?? "")",
            details: [
                "\(snapshot?.kind ?? "") (\(parameters.joined(separator: ", "))), \(run?.mode.rawValue ?? "") run, \(run?.status.rawValue ?? "")",
                "\(curve.timestamps.count) bars, \(first) to \(last); capital \(JSONDocument.finite(snapshot?.trading.initialCapital).rendered()), "
                    + "commission \(JSONDocument.finite(snapshot?.trading.commission).rendered())",
            ],
            timestamps: curve.timestamps, equity: curve.values, benchmark: aligned, benchmarkName: curve.benchmarkName,
            performance: try curve.performance(periodsPerYear: periods), risk: try curve.risk(window: 21, periodsPerYear: periods),
            tradeReturns: curve.tradeReturns, rollingWindow: min(63, max(2, curve.timestamps.count / 4)))
    }

    /// A text answer of `type`.
    static func text(_ body: String, type: String) -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", type)
        return Response(status: .ok, headers: headers, body: Array(body.utf8))
    }

    /// `GET /api/v1/runs/:id/report.html`.
    public func report(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let sheet = try sheet(context)
        analysis.metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "report")]))
        return Self.text(TearSheetRenderer(sheet: sheet).render(), type: "text/html; charset=utf-8")
    }

    /// `GET /api/v1/runs/:id/equity.svg`.
    public func equity(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let query = try request.queryItems
        var errors: [FieldError] = []
        let width = QueryValue.integer(query, "width", 200...4000, errors: &errors) ?? 960
        let height = QueryValue.integer(query, "height", 150...3000, errors: &errors) ?? 360
        try QueryValue.check(errors)
        let sheet = try sheet(context)
        return Self.text(TearSheetCharts(sheet: sheet).equity(width: width, height: height), type: "image/svg+xml")
    }
}
