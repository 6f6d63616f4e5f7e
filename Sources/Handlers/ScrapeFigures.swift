import JobRuntime
import Metrics
import Models
import RedisClient

/// The figures every process's metrics read at scrape time (the pool's `/metrics`, `tm
/// worker`'s and `tm relay`'s listeners): the job queue, finished trainings, business
/// gauges, PostgreSQL's and Redis' connection counts and the `process_*` family. Each part
/// is left out when its source is not given or does not answer; `tm_scrape_database_up`
/// says whether PostgreSQL did.
public struct ScrapeFigures: Sendable {
    let queue: JobQueue?
    let training: TrainingStore?
    let business: BusinessStatistics?
    let redis: Redis?
    let processes: @Sendable () -> [String]

    /// Figures from these sources; `processes` names the processes whose `process_*`
    /// figures are summed (`["self"]` for a single process).
    public init(
        queue: JobQueue? = nil, training: TrainingStore? = nil, business: BusinessStatistics? = nil, redis: Redis? = nil,
        processes: @escaping @Sendable () -> [String] = { ["self"] }
    ) {
        self.queue = queue
        self.training = training
        self.business = business
        self.redis = redis
        self.processes = processes
    }

    /// The samples now.
    public func samples() -> [MetricsRegion.Sample] {
        var out = ProcessMetrics.samples(pids: processes())
        var databaseUp = false
        if let queue, let statistics = try? queue.statistics() {
            databaseUp = true
            for row in statistics.counts {
                out.append(.gauge(MetricCatalog.series(MetricCatalog.jobs, [("kind", row.kind), ("status", row.status)]), Double(row.count)))
            }
            out.append(.gauge(MetricCatalog.queueDepth, Double(statistics.runnable)))
            out.append(.gauge(MetricCatalog.oldestQueuedAge, statistics.oldestRunnableAge))
        }
        if let outcomes = try? training?.outcomes() {
            for row in outcomes {
                out.append(
                    .counter(
                        MetricCatalog.series(MetricCatalog.trainingJobs, [("engine", row.engine), ("outcome", row.outcome)]),
                        Double(row.count)))
            }
        }
        if let business {
            if let users = try? business.activeUsers() {
                for row in users {
                    out.append(.gauge(MetricCatalog.series(MetricCatalog.activeUsers, [("window", row.window)]), Double(row.count)))
                }
            }
            if let runs = try? business.executions() {
                for row in runs {
                    out.append(
                        .gauge(
                            MetricCatalog.series(MetricCatalog.strategyExecutions, [("mode", row.mode), ("status", row.status)]),
                            Double(row.count)))
                }
            }
            if let connections = try? business.serverConnections() {
                for row in connections {
                    out.append(.gauge(MetricCatalog.series(MetricCatalog.databaseServerConnections, [("state", row.state)]), Double(row.count)))
                }
            } else {
                databaseUp = false
            }
        }
        if let redis, let info = try? redis.command(["INFO", "clients"]).string {
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("connected_clients:") {
                if let count = Double(line.dropFirst("connected_clients:".count)) {
                    out.append(.gauge(MetricCatalog.redisConnectedClients, count))
                }
            }
        }
        if queue != nil || business != nil { out.append(.gauge(MetricCatalog.up, databaseUp ? 1 : 0)) }
        return out
    }
}
