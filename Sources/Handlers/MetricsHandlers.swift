import Metrics
import Models
import TMFcgi

/// `GET /metrics`: the Prometheus text of the whole pool (every worker counts in the shared
/// region), plus the job queue read from PostgreSQL at scrape time. Public to the app;
/// nginx lets only loopback and its internal allow-list reach it.
public struct MetricsHandlers: Sendable {
    let region: MetricsRegion
    let queue: JobQueue
    let training: TrainingStore?

    /// Handlers over the region, the queue and the trainings.
    public init(region: MetricsRegion, queue: JobQueue, training: TrainingStore? = nil) {
        self.region = region
        self.queue = queue
        self.training = training
    }

    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.get("/metrics", .anyone, doc: RouteDoc(
            "Prometheus metrics (text exposition format; nginx allows internal addresses only)", tag: "system",
            status: 200, mediaType: PrometheusText.contentType), use: scrape)
    }

    /// The exposition. When PostgreSQL is down the job families are left out, not the rest.
    public func scrape(_ request: Request, _ context: AppContext) throws -> Response {
        var extra: [MetricsRegion.Sample] = []
        if let statistics = try? queue.statistics() {
            for row in statistics.counts {
                extra.append(.gauge(MetricCatalog.series(MetricCatalog.jobs, [("kind", row.kind), ("status", row.status)]), Double(row.count)))
            }
            extra.append(.gauge(MetricCatalog.queueDepth, Double(statistics.runnable)))
            extra.append(.gauge(MetricCatalog.oldestQueuedAge, statistics.oldestRunnableAge))
        }
        if let outcomes = try? training?.outcomes() {
            for row in outcomes {
                extra.append(.counter(MetricCatalog.series(MetricCatalog.trainingJobs, [("engine", row.engine), ("outcome", row.outcome)]),
                                      Double(row.count)))
            }
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", PrometheusText.contentType)
        headers.add("Cache-Control", "no-store")
        return Response(status: .ok, headers: headers, body: Array(PrometheusText.render(region.samples(), extra: extra).utf8))
    }
}
