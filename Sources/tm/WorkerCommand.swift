import ArgumentParser
import CurlHTTP
import Foundation
import Handlers
import JobRuntime
import Metrics
import Models
import PostgresClient
import Realtime

#if canImport(Glibc)
import Glibc
#endif

/// `tm worker`: runs jobs from the PostgreSQL queue.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs from the PostgreSQL queue (any number of workers, on any host).",
        discussion: """
            Runs --concurrency job threads (TM_WORKER_CONCURRENCY, default 4). An enqueue wakes an \
            idle worker at once (LISTEN/NOTIFY); TM_JOB_POLL_MS (5000) is only the fallback poll. \
            A running job holds a lease of TM_JOB_LEASE_SECONDS (30), renewed by a heartbeat every \
            third of it; a job whose worker died is taken over once its lease expires. Failures are \
            retried with exponential backoff and jitter from TM_JOB_BACKOFF_MS (1000) up to the \
            job's max_attempts. A job whose thread traps or faults stops the worker: it is charged \
            (and fails after TM_JOB_MAX_CRASHES such deaths), the jobs beside it are retried without \
            losing an attempt (crash records in TM_JOB_CRASH_DIR, read by this host's workers). Finished jobs older than TM_JOB_RETENTION_DAYS (30) are pruned.
            SIGTERM or SIGINT: stop claiming, let running jobs finish within \
            TM_WORKER_SHUTDOWN_TIMEOUT seconds (30), then put the rest back in the queue.
            It refuses to start (exit code 2) on a database with migrations newer than this binary.
            Prometheus metrics (jobs by kind and outcome, attempt durations, the queue, process \
            figures) at GET /metrics on TM_WORKER_METRICS_LISTEN (127.0.0.1:9464; off to disable).
            """)

    @Option(help: "Job threads (TM_WORKER_CONCURRENCY, default 4).")
    var concurrency: Int?

    func validate() throws {
        if let concurrency, !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be in 1...256") }
    }

    func run() throws {
        let settings = Startup.settings()
        let logger = Startup.logger("tm.jobs", settings: settings)
        try Startup.requireKnownSchema(settings: settings, logger: logger)
        // Before any thread exists.
        let signals = StopSignals()

        let configuration = JobWorkerConfiguration(
            workerID: Self.workerID(), concurrency: concurrency ?? settings.workerConcurrency,
            leaseSeconds: Double(settings.jobLeaseSeconds), pollSeconds: Double(settings.jobPollMilliseconds) / 1000,
            backoffSeconds: Double(settings.jobBackoffMilliseconds) / 1000, retentionDays: settings.jobRetentionDays,
            shutdownSeconds: Double(settings.workerShutdownTimeout), crashDirectory: settings.jobCrashDirectory,
            maxCrashes: settings.jobMaxCrashes)
        // libcurl's global state (the real-time publisher and the TradeMaster client use it),
        // before any thread exists.
        if !HTTPClient.initializeLibrary() { logger.error("libcurl could not be initialised: TradeMaster calls and real-time events will fail") }
        // Its own metrics, in a region of this process, served on TM_WORKER_METRICS_LISTEN:
        // jobs by kind and outcome, its PostgreSQL connections, the events it publishes.
        let metrics = settings.workerMetricsListen == nil ? nil : MetricsRegion.local()
        let database = Database(url: settings.databaseURL, metrics: metrics)
        let events = settings.realtimePublisher(logger: logger, metrics: metrics)
        let queue = JobQueue(database: database, events: events)
        let training = TrainingEngines(configuration: settings.training, database: database)
        let worker = JobWorker(
            queue: queue, registry: .standard(diagnostics: settings.diagnostics, training: training, paperMaxSeconds: settings.paperRunMaxSeconds),
            configuration: configuration, logger: logger, metrics: metrics)
        if let metrics, let address = settings.workerMetricsListen {
            // The queue and business figures are read at scrape time on the listener's thread
            // (its own connection): any worker of the fleet can be scraped for them.
            let figures = ScrapeFigures(queue: queue, business: BusinessStatistics(database: database))
            MetricsListener(host: address.host, port: address.port, logger: logger) {
                PrometheusText.render(metrics.samples(), extra: figures.samples())
            }?.start()
        }
        worker.start()
        let received = signals.wait()
        logger.info("shutdown requested", metadata: ["signal": "\(received)"])
        worker.stop()
        // The last status changes (jobs put back in the queue) go out before the process ends.
        (events as? RedisEventPublisher)?.flush(seconds: 2)
    }

    /// `host:pid:tag`: unique per process, readable in `lease_owner`.
    static func workerID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(getpid()):\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
    }
}
