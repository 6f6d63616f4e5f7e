import Configuration
import Foundation
import JobRuntime
import Logging
import Metrics
import Models
import PostgresClient
import Realtime
import RedisClient
import Security
import TMFcgi
import TradeMasterAPI

/// Composes the HTTP API from its dependencies.
public enum API {
    /// The version reported by `/api/v1/status`.
    public static let version = "0.1.0"
    /// The `iss` of access tokens.
    public static let tokenIssuer = "trademaster"
    /// The `aud` of access tokens.
    public static let tokenAudience = "trademaster-api"

    /// The application with every route mounted, each with its declared ``Access``.
    /// - Throws: `JWTError.keyTooShort` when SECRET_KEY or SECRET_KEY_PREVIOUS is under 32 bytes.
    /// With `metrics` (the pool's shared region), requests, PostgreSQL and Redis calls and
    /// logins are counted there; without it, in a region of this process (TM_METRICS=true) or
    /// not at all.
    public static func makeApplication(settings: Settings, logger: Logger, metrics shared: MetricsRegion? = nil) throws -> Application<AppContext> {
        let metrics = shared ?? (settings.metrics ? MetricsRegion.local() : nil)
        // Every request's statements are bounded (TM_STATEMENT_TIMEOUT_MS); a cancelled one is a 504.
        let database = Database(
            url: settings.databaseURL, metrics: metrics,
            statementTimeoutMilliseconds: settings.statementTimeoutMilliseconds == 0 ? nil : settings.statementTimeoutMilliseconds)
        let redis = Redis(endpoint: settings.redis, metrics: metrics)
        let tradeMaster = TradeMasterClient(baseURL: settings.tradeMasterURL, timeout: 2)
        let events = settings.realtimePublisher(logger: logger, metrics: metrics)
        let signer = try JWTSigner(
            currentKey: Array(settings.secretKey.utf8),
            previousKey: settings.secretKeyPrevious.map { Array($0.utf8) },
            issuer: tokenIssuer, audience: tokenAudience)
        let hasher = PasswordHasher()
        // At worker start, so the first unknown-user login is not slower than the others.
        hasher.prepareDummyHash()
        let rememberedLifetime = Int64(settings.refreshTokenExpireDays) * 86_400
        let users = UserStore(database: database)
        let sessions = SessionStore(redis: redis, maximumLifetime: rememberedLifetime)
        let keys = APIKeyStore(database: database)
        let audit = AuditLog(database: database)
        let service = AccountService(
            users: users, sessions: sessions, keys: keys, throttle: LoginThrottle(redis: redis), audit: audit,
            hasher: hasher, signer: signer,
            accessLifetime: Int64(settings.accessTokenExpireMinutes) * 60,
            rememberedLifetime: rememberedLifetime, metrics: metrics)

        // Each route declares its own access (see `Access`): registration order does not matter.
        var routes = Routes(authenticator: Authenticator(signer: signer, sessions: sessions, apiKeys: keys))
        HealthHandlers(
            database: database, redis: redis, tradeMaster: tradeMaster, version: version,
            breakers: ServiceBreakerStore(database: database)
        ).register(on: &routes)
        if settings.diagnostics {
            DiagnosticHandlers(database: database).register(on: &routes)
        }
        AuthHandlers(service: service).register(on: &routes)
        AccountHandlers(service: service).register(on: &routes)
        SessionHandlers(sessions: sessions, audit: audit).register(on: &routes)
        APIKeyHandlers(keys: keys, audit: audit).register(on: &routes)
        AdminUserHandlers(service: service).register(on: &routes)
        // One queue for every route that enqueues or reads jobs; its state changes go to the
        // real-time publisher.
        let queue = JobQueue(database: database, events: events, ownerLimit: settings.maxJobsPerUser)
        JobHandlers(queue: queue, kinds: JobRegistry.standard(diagnostics: settings.diagnostics).kinds)
            .register(on: &routes)
        let training = TrainingStore(queue: queue)
        if let metrics {
            // In the pool (a shared region), `process_*` sums the master and all its workers.
            let pool = shared != nil
            let figures = ScrapeFigures(
                queue: queue, training: training, business: BusinessStatistics(database: database), redis: redis,
                processes: { pool ? ProcessMetrics.poolPIDs(master: ProcessMetrics.parentPID) : ["self"] })
            MetricsHandlers(region: metrics, queue: queue, training: training, token: settings.metricsToken, figures: figures)
                .register(on: &routes)
        }
        // One cache of whole series per process, shared by every thread's reads.
        let datasets = DatasetStore(database: database, cache: SeriesCache(capacityBytes: settings.seriesCacheBytes))
        UploadHandlers(
            store: datasets,
            limits: UploadLimits(
                maximumRows: settings.maxDatasetRows,
                quotaBytes: Int64(settings.userQuotaBytes)),
            budget: UploadBudget(redis: redis, limit: Int64(settings.uploadBudgetBytes), window: Int64(settings.uploadBudgetSeconds)),
            metrics: metrics
        ).register(on: &routes)
        DatasetHandlers(store: datasets).register(on: &routes)
        BarsHandlers(store: datasets).register(on: &routes)
        ChartHandlers(store: datasets).register(on: &routes)
        PreprocessHandlers(
            preprocessor: DatasetPreprocessor(
                store: datasets, limits: UploadLimits(maximumRows: settings.maxDatasetRows, quotaBytes: Int64(settings.userQuotaBytes))),
            maximumRows: settings.syncMaxRows, maximumCells: settings.preprocessMaxCells, queue: queue
        ).register(on: &routes)
        ImportHandlers(
            queue: queue,
            options: ImportJob.Options(
                allowPrivate: settings.importAllowPrivate, maxBytes: settings.importMaxBytes, timeoutSeconds: settings.importTimeoutSeconds,
                limits: UploadLimits(maximumRows: settings.maxDatasetRows, quotaBytes: Int64(settings.userQuotaBytes)))
        ).register(on: &routes)
        let strategies = StrategyStore(database: database)
        StrategyHandlers(store: strategies, tradeMaster: tradeMaster).register(on: &routes)
        let runService = RunService(
            database: database, events: events, queue: queue, paperMaxSeconds: settings.paperRunMaxSeconds, datasets: datasets)
        StrategyRunHandlers(strategies: strategies, service: runService, idempotency: IdempotencyStore(database: database), metrics: metrics)
            .register(on: &routes)
        RunHandlers(runs: runService.runs).register(on: &routes)
        if let secret = settings.realtimeSecret {
            RealtimeHandlers(
                access: RealtimeAccess(database: database),
                signer: RealtimeSigner(key: secret, lifetime: TimeInterval(settings.realtimeTicketTTL)),
                ledger: RealtimeTicketLedger(redis: redis), metrics: metrics
            ).register(on: &routes)
        }
        let analysis = AnalysisHandlers(service: runService, strategies: strategies, syncMaxBars: settings.syncMaxBars, metrics: metrics)
        analysis.register(on: &routes)
        RunReportHandlers(analysis: analysis).register(on: &routes)
        TrainingHandlers(store: training, idempotency: IdempotencyStore(database: database)).register(on: &routes)
        // Saving a labelling is one quick call: two tries, no breaker (the workers keep that).
        MarketDynamicsHandlers(
            store: training,
            client: TradeMasterClient(
                baseURL: settings.tradeMasterURL, timeout: 10, policy: TradeMasterClient.Policy(attempts: 2, firstDelay: 0.2))
        )
        .register(on: &routes)
        // The catalogue for front ends: one quick try per fetch (a copy is kept), so a hung
        // service holds a pool thread for at most 3 s, and rarely.
        TradeMasterCatalogueHandlers(
            client: TradeMasterClient(baseURL: settings.tradeMasterURL, timeout: 3, policy: TradeMasterClient.Policy(attempts: 1)),
            breakers: ServiceBreakerStore(database: database), cache: CatalogueCache()
        ).register(on: &routes)
        DocsHandlers.register(on: &routes, version: version)
        let slowRequests =
            settings.slowRequestMilliseconds == 0
            ? nil
            : SlowRequestLog(
                thresholdMilliseconds: settings.slowRequestMilliseconds, deadlineMilliseconds: settings.requestTimeoutMilliseconds,
                logger: logger)
        return Application(router: routes.router, logger: logger, metrics: metrics, slowRequests: slowRequests)
    }
}
