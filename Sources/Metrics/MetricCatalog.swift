/// The metric families the backend exports: names, help texts, and the series names built
/// from labels, in one place (the README's metrics table lists the same).
public enum MetricCatalog {
    /// Requests by route template, method and status.
    public static let httpRequests = "tm_http_requests_total"
    /// Request latency by route template and method.
    public static let httpDuration = "tm_http_request_duration_seconds"
    /// Worker processes the master keeps.
    public static let poolWorkers = "tm_pool_workers"
    /// Serving threads in all workers.
    public static let poolThreads = "tm_pool_threads"
    /// Threads serving a request right now.
    public static let poolBusyThreads = "tm_pool_busy_threads"
    /// Workers started again after they died.
    public static let poolRestarts = "tm_pool_worker_restarts_total"
    /// Reloads (SIGHUP) completed.
    public static let poolReloads = "tm_pool_reloads_total"
    /// PostgreSQL statement latency.
    public static let databaseDuration = "tm_db_query_duration_seconds"
    /// Redis command latency.
    public static let redisDuration = "tm_redis_command_duration_seconds"
    /// Logins by result.
    public static let logins = "tm_logins_total"
    /// Strategy runs started (executed) by mode.
    public static let runsStarted = "tm_runs_started_total"
    /// Analysis requests by kind (backtest_sync, backtest_queued, performance, risk, compare, report).
    public static let analyses = "tm_analyses_total"
    /// Jobs by kind and status (read from PostgreSQL at scrape time).
    public static let jobs = "tm_jobs"
    /// Queued jobs that may run now.
    public static let queueDepth = "tm_jobs_queue_depth"
    /// Age of the oldest queued job that may run now.
    public static let oldestQueuedAge = "tm_jobs_oldest_queued_age_seconds"
    /// Finished trainings by engine and outcome (read from PostgreSQL at scrape time).
    public static let trainingJobs = "tm_training_jobs_total"
    /// Series the table had no room for.
    public static let droppedSeries = "tm_metrics_dropped_series_total"
    /// Real-time events handed to nginx's nchan publisher (one per channel).
    public static let realtimePublished = "tm_realtime_events_published_total"
    /// Real-time events dropped, by reason (queue_full, redis, nginx, rejected).
    public static let realtimeDropped = "tm_realtime_events_dropped_total"
    /// Real-time subscribe tickets issued (one per channel).
    public static let realtimeTickets = "tm_realtime_tickets_issued_total"
    /// Dataset uploads by outcome.
    public static let datasetUploads = "tm_dataset_uploads_total"
    /// Bars stored by uploads.
    public static let datasetRowsLoaded = "tm_dataset_rows_loaded_total"

    /// Jobs a `tm worker` claimed, by kind.
    public static let workerClaimed = "tm_worker_jobs_claimed_total"
    /// Jobs a `tm worker` completed, by kind.
    public static let workerSucceeded = "tm_worker_jobs_succeeded_total"
    /// Job attempts that failed for good, by kind.
    public static let workerFailed = "tm_worker_jobs_failed_total"
    /// Job attempts that failed and were queued again, by kind.
    public static let workerRetried = "tm_worker_jobs_retried_total"
    /// Jobs cancelled while running, by kind.
    public static let workerCancelled = "tm_worker_jobs_cancelled_total"
    /// Duration of job attempts, by kind.
    public static let workerDuration = "tm_worker_job_duration_seconds"
    /// Job threads running a job now.
    public static let workerBusy = "tm_worker_busy_threads"
    /// Job threads of the worker.
    public static let workerThreads = "tm_worker_threads"
    /// Events a relay delivered to nginx.
    public static let relayRelayed = "tm_relay_events_relayed_total"
    /// Events a relay dropped, by reason.
    public static let relayDropped = "tm_relay_events_dropped_total"
    /// Publish-to-delivery lag of relayed events.
    public static let relayLag = "tm_relay_lag_seconds"
    /// Whether the relay is subscribed to the bus.
    public static let relaySubscribed = "tm_relay_subscribed"
    /// nchan's message store on this host: memory used (at scrape time).
    public static let realtimeStoreUsed = "tm_realtime_store_used_bytes"
    /// nchan's message store: its size (`nchan_shared_memory_size`).
    public static let realtimeStoreLimit = "tm_realtime_store_limit_bytes"
    /// Messages nchan holds for replay.
    public static let realtimeStoredMessages = "tm_realtime_stored_messages"
    /// Channels nchan holds.
    public static let realtimeChannels = "tm_realtime_channels"
    /// Subscribers connected to this host's nchan.
    public static let realtimeSubscribers = "tm_realtime_subscribers"
    /// PostgreSQL connections opened.
    public static let databaseConnectionsOpened = "tm_db_connections_opened_total"
    /// PostgreSQL connections that failed to open or were lost.
    public static let databaseConnectionErrors = "tm_db_connection_errors_total"
    /// PostgreSQL server connections to this database, by state (at scrape time).
    public static let databaseServerConnections = "tm_db_server_connections"
    /// Redis connections opened.
    public static let redisConnectionsOpened = "tm_redis_connections_opened_total"
    /// Redis connections that failed to open or were lost.
    public static let redisConnectionErrors = "tm_redis_connection_errors_total"
    /// Clients connected to Redis (at scrape time).
    public static let redisConnectedClients = "tm_redis_connected_clients"
    /// Users active within a window (at scrape time).
    public static let activeUsers = "tm_active_users"
    /// Strategy executions (runs) by mode and status (at scrape time).
    public static let strategyExecutions = "tm_strategy_executions"
    /// Whether this process's metrics could read PostgreSQL at scrape time.
    public static let up = "tm_scrape_database_up"

    /// Help texts by family.
    public static let help: [String: String] = [
        httpRequests: "HTTP requests answered, by method, route template and status.",
        httpDuration: "Time to answer an HTTP request in the pool, by method and route template.",
        poolWorkers: "Worker processes of the current generation.",
        poolThreads: "Serving threads across the workers of the current generation.",
        poolBusyThreads: "Threads serving a request now.",
        poolRestarts: "Worker processes restarted after they died.",
        poolReloads: "Completed reloads (SIGHUP).",
        databaseDuration: "PostgreSQL statement round-trip time.",
        redisDuration: "Redis command round-trip time.",
        logins: "Login attempts by result (ok, failed, throttled, busy, inactive).",
        runsStarted: "Strategy runs started through execute, by mode (backtest, paper).",
        analyses: "Analysis answers by kind (backtest_sync, backtest_queued, performance, risk, compare, report).",
        jobs: "Jobs by kind and status.",
        queueDepth: "Queued jobs whose run_after has passed.",
        oldestQueuedAge: "Seconds the oldest runnable queued job has waited.",
        trainingJobs:
            "Finished trainings and market-dynamics analyses by engine (parameter_search, trademaster, market_dynamics) and outcome (succeeded, failed, cancelled).",
        droppedSeries: "Series not recorded because the metrics table was full.",
        realtimePublished: "Real-time events published on the Redis bus and taken by at least one relay, one per channel.",
        realtimeDropped:
            "Real-time events dropped instead of published, by reason (queue_full, redis, no_relay, stale: older than an event already published for its job).",
        realtimeTickets: "Real-time subscribe tickets issued, one per channel.",
        datasetUploads: "Dataset uploads by outcome (stored, invalid, too_large, quota, throttled, conflict, failed).",
        datasetRowsLoaded: "Bars stored by dataset uploads.",
        workerClaimed: "Jobs this tm worker claimed (attempts started), by kind.",
        workerSucceeded: "Jobs this tm worker completed, by kind.",
        workerFailed: "Job attempts that failed with no attempt left (the job is failed), by kind.",
        workerRetried: "Job attempts that failed and were queued again with backoff, by kind.",
        workerCancelled: "Running jobs this tm worker stopped on a cancel request, by kind.",
        workerDuration: "Duration of a job attempt in this tm worker, by kind.",
        workerBusy: "Job threads of this tm worker running a job now.",
        workerThreads: "Job threads of this tm worker.",
        relayRelayed: "Real-time events this tm relay delivered to nginx's nchan publisher.",
        relayDropped: "Real-time events this tm relay dropped, by reason (nginx: refused or unreachable, malformed).",
        relayLag: "Time from an event's publication (its envelope's time) to its delivery to nginx by this relay.",
        relaySubscribed: "1 while this tm relay is subscribed to the Redis bus, else 0.",
        realtimeStoreUsed: "Bytes of nchan's shared message store in use on this host (nchan_stub_status, at scrape time).",
        realtimeStoreLimit: "Size of nchan's shared message store (nchan_shared_memory_size); full, it refuses publishes.",
        realtimeStoredMessages: "Messages nchan holds for subscribers that reconnect (TM_REALTIME_REPLAY_SECONDS).",
        realtimeChannels: "Real-time channels nchan holds on this host.",
        realtimeSubscribers: "Real-time subscribers connected to this host's nchan.",
        databaseConnectionsOpened: "PostgreSQL connections this process (pool: every process) opened.",
        databaseConnectionErrors: "PostgreSQL connections that could not be opened or were lost.",
        databaseServerConnections: "PostgreSQL server connections to this database, by state (pg_stat_activity, at scrape time).",
        redisConnectionsOpened: "Redis connections this process (pool: every process) opened.",
        redisConnectionErrors: "Redis connections that could not be opened or were lost.",
        redisConnectedClients: "Clients connected to Redis (INFO clients, at scrape time).",
        activeUsers: "Active users who signed in within the window (1h, 24h, 7d), read at scrape time.",
        strategyExecutions: "Strategy executions (runs) by mode (backtest, paper) and status, read at scrape time.",
        up: "1 when this scrape could read PostgreSQL (the job and business figures are then present), else 0.",
    ]

    /// `family{a="x",b="y"}` with escaped values.
    public static func series(_ family: String, _ labels: [(String, String)] = []) -> String {
        guard !labels.isEmpty else { return family }
        return family + "{" + labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
    }
}
