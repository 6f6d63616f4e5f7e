import Foundation
import Metrics
import Models
import Quant
import TMFcgi

/// Routes under `/api/v1/analysis`: a backtest answered in the request (or queued when large),
/// the performance and risk reports of a run's equity or a dataset's prices, and a comparison
/// of runs.
struct AnalysisHandlers: Sendable {
    let service: RunService
    let strategies: StrategyStore
    /// The most bars a backtest runs within the request (`TM_SYNC_MAX_BARS`).
    let syncMaxBars: Int
    let metrics: MetricsRegion?

    /// Loads the curves the query names.
    var loader: CurveLoader { CurveLoader(runs: service.runs, strategies: strategies, datasets: service.datasets, maxBars: syncMaxBars) }

    /// The periods per year the query asks for (252 by default).
    static func periodsPerYear(_ query: [String: String], errors: inout [FieldError]) -> Double {
        Double(QueryValue.integer(query, "periods_per_year", 1...1_000_000, errors: &errors) ?? Int(RunService.periodsPerYear))
    }

    /// `GET /api/v1/analysis/performance`.
    func performance(_ request: Request, _ context: AuthenticatedContext) throws -> PerformanceAnswer {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let periods = Self.periodsPerYear(query, errors: &errors)
        try QueryValue.check(errors)
        let curve = try loader.load(query, principal: principal)
        let report = try curve.performance(periodsPerYear: periods)
        metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "performance")]))
        return PerformanceAnswer(source: curve.source, report: report, timestamps: curve.timestamps)
    }

    /// `GET /api/v1/analysis/risk`.
    func risk(_ request: Request, _ context: AuthenticatedContext) throws -> RiskAnswer {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let periods = Self.periodsPerYear(query, errors: &errors)
        let window = QueryValue.integer(query, "window", 2...1000, errors: &errors) ?? 21
        let maxPoints = QueryValue.integer(query, "max_points", 2...10_000, errors: &errors) ?? 1000
        try QueryValue.check(errors)
        let curve = try loader.load(query, principal: principal)
        let report = try curve.risk(window: window, periodsPerYear: periods)
        metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "risk")]))
        return RiskAnswer(source: curve.source, report: report, timestamps: curve.timestamps, maxPoints: maxPoints)
    }

    /// `POST /api/v1/analysis/compare`.
    func compare(_ request: Request, _ context: AuthenticatedContext) throws -> CompareAnswer {
        let principal = context.principal
        let body = try request.decode(CompareBody.self)
        var errors: [FieldError] = []
        if !(2...20).contains(body.runIds.count) { errors.append(FieldError(pointer: "/run_ids", detail: "must list 2 to 20 runs")) }
        for (i, id) in body.runIds.enumerated() {
            if id <= 0 { errors.append(FieldError(pointer: "/run_ids/\(i)", detail: "must be a positive run id")) }
            if body.runIds[..<i].contains(id) { errors.append(FieldError(pointer: "/run_ids/\(i)", detail: "is listed twice")) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        var entries: [CompareAnswer.Entry] = []
        var curves: [(timestamps: [Int64], values: [Double])] = []
        for (i, id) in body.runIds.enumerated() {
            let curve = try loader.run(id, pointer: "/run_ids/\(i)", principal: principal)
            let report = try curve.performance(periodsPerYear: RunService.periodsPerYear)
            entries.append(.init(runId: id, strategyId: curve.run?.strategyId, metrics: MetricSet(report.metrics, timestamps: curve.timestamps)))
            curves.append((curve.timestamps, curve.values))
        }
        let (matrix, aligned) = try AnalysisCurve.quant { try Correlation.matrix(curves) }
        metrics?.add(MetricCatalog.series(MetricCatalog.analyses, [("kind", "compare")]))
        return CompareAnswer(
            runs: entries,
            correlation: .init(
                runIds: body.runIds, alignedReturns: aligned,
                matrix: matrix.map { $0.map(MetricSet.finite) }))
    }
}

extension PerformanceAnswer: ResponseEncodable {}
extension RiskAnswer: ResponseEncodable {}
extension CompareAnswer: ResponseEncodable {}
