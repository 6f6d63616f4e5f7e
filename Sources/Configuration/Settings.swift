import Foundation
import Models
import PostgresClient
import RedisClient
import TradeMasterAPI

/// A setting that is missing or invalid; the message names the variable.
public struct SettingsError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault.
    public let variable: String
    /// What is wrong with it.
    public let reason: String
    public var description: String { "\(variable): \(reason)" }
}

/// Every setting of the backend, from the environment and an optional `.env` file (the
/// environment wins). Names follow the original design; `TM_*` are the pool's own.
public struct Settings: Sendable {
    public var debug: Bool
    public var secretKey: String
    public var secretKeyPrevious: String?
    public var databaseURL: String
    public var redisURL: String
    public var redis: RedisEndpoint
    public var tradeMasterURL: String
    public var logLevel: String
    public var workers: Int
    public var threads: Int
    public var maxRequests: Int
    public var listen: String?
    public var shutdownTimeout: Double
    public var socketMode: UInt32
    public var accessTokenExpireMinutes: Int
    public var refreshTokenExpireDays: Int
    public var diagnostics: Bool
    /// Whether the pool keeps Prometheus metrics in a shared region (TM_METRICS, true).
    public var metrics: Bool
    /// The bearer token scrapers must send to `/metrics` (`TM_METRICS_TOKEN`); nil: none needed
    /// (nginx's allow-list still applies). Never logged.
    public var metricsToken: String?
    /// Where `tm worker` serves its Prometheus metrics (`TM_WORKER_METRICS_LISTEN`,
    /// `127.0.0.1:9464`); nil: off.
    public var workerMetricsListen: (host: String, port: Int)?
    /// Where `tm relay` serves its Prometheus metrics (`TM_RELAY_METRICS_LISTEN`,
    /// `127.0.0.1:9470`); nil: off.
    public var relayMetricsListen: (host: String, port: Int)?
    public var migrationsDirectory: String
    /// Job threads of a `tm worker` (TM_WORKER_CONCURRENCY, 4).
    public var workerConcurrency: Int
    /// Seconds a job lease lasts without a heartbeat (TM_JOB_LEASE_SECONDS, 30).
    public var jobLeaseSeconds: Int
    /// Milliseconds between fallback polls of an idle worker (TM_JOB_POLL_MS, 5000).
    public var jobPollMilliseconds: Int
    /// The first retry delay in milliseconds, doubled per attempt (TM_JOB_BACKOFF_MS, 1000).
    public var jobBackoffMilliseconds: Int
    /// Days finished jobs are kept (TM_JOB_RETENTION_DAYS, 30).
    public var jobRetentionDays: Int
    /// Where `tm worker` keeps its crash record, read by the host's other workers
    /// (`TM_JOB_CRASH_DIR`; default systemd's `STATE_DIRECTORY`, else `/var/lib/trademaster-worker`).
    public var jobCrashDirectory: String
    /// A job that stopped its worker this many times fails for good (`TM_JOB_MAX_CRASHES`, 2).
    public var jobMaxCrashes: Int
    /// Days audit events are kept before `tm prune` deletes them (TM_AUDIT_RETENTION_DAYS, 365).
    public var auditRetentionDays: Int
    /// Seconds a stopping worker waits for running jobs before releasing them
    /// (TM_WORKER_SHUTDOWN_TIMEOUT, 30).
    public var workerShutdownTimeout: Int
    /// The `statement_timeout` of the pool's PostgreSQL sessions in milliseconds
    /// (`TM_STATEMENT_TIMEOUT_MS`, 30000; 0: none). `tm worker` sets none.
    public var statementTimeoutMilliseconds: Int
    /// A request running longer is logged once, while it runs (`TM_SLOW_REQUEST_MS`, 5000; 0: off).
    public var slowRequestMilliseconds: Int
    /// The hard deadline of a request (`TM_REQUEST_TIMEOUT_MS`, 60000): nginx's
    /// `fastcgi_read_timeout` (504 past it); the pool logs a request that outlives it.
    public var requestTimeoutMilliseconds: Int
    /// The longest a paper run may last in seconds (`TM_PAPER_RUN_MAX_SECONDS`, 86400): a longer
    /// plan is a 422 at `/bars_per_second`, and a replay still running then is stopped.
    public var paperRunMaxSeconds: Int
    /// The most rows one dataset may have (`TM_MAX_DATASET_ROWS`, default 10,000,000).
    public var maxDatasetRows: Int
    /// The bytes of uploaded files each user may keep (`TM_USER_QUOTA_BYTES`, default 2 GiB).
    public var userQuotaBytes: Int
    /// The file bytes each user may send to uploads per window, stored or refused
    /// (`TM_UPLOAD_BUDGET_BYTES`, default 4 GiB); beyond it an upload is a 429.
    public var uploadBudgetBytes: Int
    /// The upload budget's window in seconds (`TM_UPLOAD_BUDGET_SECONDS`, default 3600).
    public var uploadBudgetSeconds: Int
    /// Bytes of whole bar series each pool worker process keeps in memory for backtests and
    /// analyses (`TM_SERIES_CACHE_BYTES`, default 128 MiB; 0: none).
    public var seriesCacheBytes: Int
    /// The most source rows preprocessed within a request (`TM_SYNC_MAX_ROWS`, default 1,000,000).
    public var syncMaxRows: Int
    /// The most values (source rows × columns, added ones included) a preprocess may hold
    /// in memory (`TM_PREPROCESS_MAX_CELLS`, default 50,000,000: 400 MB of doubles).
    public var preprocessMaxCells: Int
    /// The key real-time subscribe URLs are signed with, shared with nginx's `secure_link`
    /// (`TM_REALTIME_SECRET`; at least 32 characters outside debug). Unset: no tickets route.
    public var realtimeSecret: String?
    /// Seconds a real-time ticket may be used to connect (`TM_REALTIME_TICKET_TTL`, 60).
    public var realtimeTicketTTL: Int
    /// nginx's internal nchan publisher socket (`TM_REALTIME_PUBLISH_SOCKET`), where `tm relay`
    /// hands events to nginx; the relay refuses to start without it.
    public var realtimePublishSocket: String?
    /// The deadline of one publish in milliseconds (`TM_REALTIME_PUBLISH_TIMEOUT_MS`, 500): of
    /// the publisher's Redis script, and of the relay's POST to nginx.
    public var realtimePublishTimeoutMilliseconds: Int
    /// How long nchan keeps a channel's messages for subscribers that reconnect with their
    /// last event id (`TM_REALTIME_REPLAY_SECONDS`, 300): nginx's `nchan_message_timeout`
    /// (`nginx/render REALTIME_REPLAY_S`, which the scripts derive from it) and how long a
    /// finished run's or job's sequence numbers stay in Redis.
    public var realtimeReplaySeconds: Int
    /// The most bars `POST /analysis/backtest` runs within the request (`TM_SYNC_MAX_BARS`,
    /// default 500,000); above, it queues the run and answers 202.
    public var syncMaxBars: Int
    /// The most unfinished (queued or running) jobs one user may have (`TM_MAX_JOBS_PER_USER`,
    /// default 100); past it a request that would queue one is a 429.
    public var maxJobsPerUser: Int
    /// Whether an import by URL may fetch from loopback, private and link-local addresses
    /// (`TM_IMPORT_ALLOW_PRIVATE`, default false; tests and closed networks).
    public var importAllowPrivate: Bool
    /// The largest file an import by URL downloads (`TM_IMPORT_MAX_BYTES`, default 256 MiB).
    public var importMaxBytes: Int
    /// The deadline of an import's download in seconds (`TM_IMPORT_TIMEOUT_SECONDS`, default 300).
    public var importTimeoutSeconds: Int
    /// Seconds a TradeMaster run's log may stop growing before the run failed (`TM_TRADEMASTER_STALL_S`, 600).
    public var tradeMasterStallSeconds: Int
    /// Seconds a whole TradeMaster train → test or labelling may take (`TM_TRADEMASTER_TIMEOUT_S`, 21600).
    public var tradeMasterTimeoutSeconds: Int
    /// The first poll interval of a TradeMaster status route (`TM_TRADEMASTER_POLL_MS`, 1000).
    public var tradeMasterPollMilliseconds: Int
    /// The longest poll interval (`TM_TRADEMASTER_MAX_POLL_MS`, 10000).
    public var tradeMasterMaxPollMilliseconds: Int
    /// Tries of a TradeMaster call that gets no answer (`TM_TRADEMASTER_RETRIES`, 4).
    public var tradeMasterRetries: Int
    /// The first delay between those tries, doubled each time (`TM_TRADEMASTER_RETRY_MS`, 500).
    public var tradeMasterRetryMilliseconds: Int
    /// Consecutive failed calls that open the breaker (`TM_TRADEMASTER_BREAKER_FAILURES`, 5).
    public var tradeMasterBreakerFailures: Int
    /// Seconds the breaker stays open (`TM_TRADEMASTER_BREAKER_OPEN_S`, 30).
    public var tradeMasterBreakerOpenSeconds: Int
    /// Minutes a TradeMaster job waits out a service that does not answer before it fails
    /// (`TM_TRADEMASTER_OUTAGE_MIN`, 30; a decimal, so tests can use seconds).
    public var tradeMasterOutageMinutes: Double
    /// Trial threads of a parameter search (`TM_TRAINING_THREADS`; 0, the default, is one per core).
    public var trainingThreads: Int

    /// The development key used when `DEBUG=true` and no `SECRET_KEY` is set: stable so
    /// every worker agrees, and refused outside debug mode.
    public static let debugSecretKey = "insecure-debug-only-key-do-not-use-in-production"

    /// Reads and validates the settings; the first invalid variable throws.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        envFile: String? = nil
    ) throws -> Settings {
        var values = environment
        let fileName = envFile ?? environment["TM_ENV_FILE"] ?? ".env"
        if let text = try? String(contentsOfFile: fileName, encoding: .utf8) {
            for (key, value) in try parseDotEnv(text, file: fileName) where values[key] == nil { values[key] = value }
        }
        return try Settings(values)
    }

    /// Validates `values` (already merged from the environment and `.env`).
    public init(_ values: [String: String]) throws {
        func value(_ name: String) -> String? {
            guard let raw = values[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func bool(_ name: String, _ fallback: Bool) throws -> Bool {
            guard let raw = value(name) else { return fallback }
            switch raw.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw SettingsError(variable: name, reason: "must be true or false, not \(raw.debugDescription)")
            }
        }
        func int(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw SettingsError(
                    variable: name, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound), not \(raw.debugDescription)")
            }
            return number
        }
        func url(_ name: String, _ fallback: String, schemes: [String]) throws -> String {
            let raw = value(name) ?? fallback
            guard let components = URLComponents(string: raw), let scheme = components.scheme, schemes.contains(scheme) else {
                throw SettingsError(
                    variable: name,
                    reason: "must be a URL with scheme \(schemes.joined(separator: " or ")), not \(Settings.redacted(raw).debugDescription)")
            }
            return raw
        }

        debug = try bool("DEBUG", false)
        if let key = value("SECRET_KEY") {
            if !debug, let problem = Settings.weakness(of: key) {
                throw SettingsError(variable: "SECRET_KEY", reason: problem)
            }
            secretKey = key
        } else if debug {
            secretKey = Settings.debugSecretKey
        } else {
            throw SettingsError(variable: "SECRET_KEY", reason: "is required when DEBUG is false (generate one with: openssl rand -hex 32)")
        }
        secretKeyPrevious = value("SECRET_KEY_PREVIOUS")
        if let previous = secretKeyPrevious, !debug, let problem = Settings.weakness(of: previous) {
            throw SettingsError(variable: "SECRET_KEY_PREVIOUS", reason: problem)
        }
        // libpq's own parser, not URLComponents: a URL with several hosts
        // (`postgresql://a:5432,b:5432/db?target_session_attrs=read-write`) is valid.
        databaseURL = value("DATABASE_URL") ?? "postgresql://localhost:5432/trademaster"
        guard databaseURL.hasPrefix("postgresql://") || databaseURL.hasPrefix("postgres://") else {
            throw SettingsError(
                variable: "DATABASE_URL",
                reason: "must be a URL with scheme postgresql or postgres, not \(Settings.redacted(databaseURL).debugDescription)")
        }
        if let problem = ConnectionString.problem(databaseURL) {
            // Some of libpq's messages quote the whole URI: never its password.
            var safe = problem.replacingOccurrences(of: databaseURL, with: Settings.redacted(databaseURL))
            if let password = Settings.password(in: databaseURL), !password.isEmpty {
                safe = safe.replacingOccurrences(of: password, with: "****")
            }
            throw SettingsError(variable: "DATABASE_URL", reason: "is not a connection string libpq accepts (\(safe))")
        }
        redisURL = try url("REDIS_URL", "redis://localhost:6379/0", schemes: ["redis", "unix"])
        guard let endpoint = RedisEndpoint(url: redisURL) else {
            throw SettingsError(variable: "REDIS_URL", reason: "is not a valid redis:// or unix:// URL")
        }
        redis = endpoint
        if let list = value("REDIS_SENTINELS") {
            guard let nodes = RedisEndpoint.Sentinel.nodes(parsing: list) else {
                throw SettingsError(variable: "REDIS_SENTINELS", reason: "must be host:port[,host:port...] (port 26379 when left out)")
            }
            let name = value("REDIS_SENTINEL_MASTER") ?? "mymaster"
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw SettingsError(variable: "REDIS_SENTINEL_MASTER", reason: "must be the name the sentinels monitor (letters, digits, - _ .)")
            }
            redis.sentinel = RedisEndpoint.Sentinel(nodes: nodes, primaryName: name, password: value("REDIS_SENTINEL_PASSWORD"))
        }
        tradeMasterURL = try url("TRADEMASTER_API_URL", "http://localhost:8080", schemes: ["http"])
        logLevel = (value("LOG_LEVEL") ?? (debug ? "debug" : "info")).lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw SettingsError(variable: "LOG_LEVEL", reason: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        workers = try int("TM_WORKERS", 2, 1...256)
        threads = try int("TM_THREADS", 4, 1...256)
        maxRequests = try int("TM_MAX_REQUESTS", 0, 0...Int(Int32.max))
        listen = value("TM_LISTEN")
        shutdownTimeout = Double(try int("TM_SHUTDOWN_TIMEOUT", 30, 1...3600))
        let modeText = value("TM_SOCKET_MODE") ?? "0660"
        guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
            throw SettingsError(variable: "TM_SOCKET_MODE", reason: "must be an octal file mode like 0660")
        }
        socketMode = mode
        accessTokenExpireMinutes = try int("ACCESS_TOKEN_EXPIRE_MINUTES", 30, 1...1440)
        refreshTokenExpireDays = try int("REFRESH_TOKEN_EXPIRE_DAYS", 7, 1...365)
        diagnostics = try bool("TM_DIAGNOSTICS", false)
        metrics = try bool("TM_METRICS", true)
        metricsToken = value("TM_METRICS_TOKEN")
        if let token = metricsToken {
            // Sent in an Authorization header: visible ASCII only (RFC 6750's token68 and more).
            guard token.count >= 16, token.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
                throw SettingsError(variable: "TM_METRICS_TOKEN", reason: "must be at least 16 visible ASCII characters without spaces")
            }
        }
        func listenAddress(_ name: String, _ fallback: String) throws -> (host: String, port: Int)? {
            let raw = value(name) ?? fallback
            if raw == "off" { return nil }
            guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), (0...65_535).contains(port),
                !raw[..<colon].isEmpty, raw[..<colon].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
            else {
                throw SettingsError(variable: name, reason: "must be an IPv4 address and port like 127.0.0.1:9464, or off")
            }
            return (String(raw[..<colon]), port)
        }
        workerMetricsListen = try listenAddress("TM_WORKER_METRICS_LISTEN", "127.0.0.1:9464")
        relayMetricsListen = try listenAddress("TM_RELAY_METRICS_LISTEN", "127.0.0.1:9470")
        migrationsDirectory = value("TM_MIGRATIONS_DIR") ?? "migrations"
        workerConcurrency = try int("TM_WORKER_CONCURRENCY", 4, 1...256)
        jobLeaseSeconds = try int("TM_JOB_LEASE_SECONDS", 30, 1...3600)
        jobPollMilliseconds = try int("TM_JOB_POLL_MS", 5000, 10...3_600_000)
        jobBackoffMilliseconds = try int("TM_JOB_BACKOFF_MS", 1000, 1...3_600_000)
        jobRetentionDays = try int("TM_JOB_RETENTION_DAYS", 30, 1...36_500)
        jobCrashDirectory = value("TM_JOB_CRASH_DIR") ?? value("STATE_DIRECTORY") ?? "/var/lib/trademaster-worker"
        jobMaxCrashes = try int("TM_JOB_MAX_CRASHES", 2, 1...100)
        auditRetentionDays = try int("TM_AUDIT_RETENTION_DAYS", 365, 1...36_500)
        workerShutdownTimeout = try int("TM_WORKER_SHUTDOWN_TIMEOUT", 30, 0...3600)
        statementTimeoutMilliseconds = try int("TM_STATEMENT_TIMEOUT_MS", 30_000, 0...86_400_000)
        slowRequestMilliseconds = try int("TM_SLOW_REQUEST_MS", 5000, 0...3_600_000)
        requestTimeoutMilliseconds = try int("TM_REQUEST_TIMEOUT_MS", 60_000, 1000...3_600_000)
        paperRunMaxSeconds = try int("TM_PAPER_RUN_MAX_SECONDS", 86_400, 1...31_536_000)
        maxDatasetRows = try int("TM_MAX_DATASET_ROWS", 10_000_000, 1...1_000_000_000)
        userQuotaBytes = try int("TM_USER_QUOTA_BYTES", 2 << 30, 1...(1 << 50))
        uploadBudgetBytes = try int("TM_UPLOAD_BUDGET_BYTES", 4 << 30, 1...(1 << 50))
        uploadBudgetSeconds = try int("TM_UPLOAD_BUDGET_SECONDS", 3600, 1...86_400 * 31)
        seriesCacheBytes = try int("TM_SERIES_CACHE_BYTES", 128 << 20, 0...(1 << 40))
        syncMaxRows = try int("TM_SYNC_MAX_ROWS", 1_000_000, 1...100_000_000)
        preprocessMaxCells = try int("TM_PREPROCESS_MAX_CELLS", 50_000_000, 1_000...10_000_000_000)
        realtimeSecret = value("TM_REALTIME_SECRET")
        if let secret = realtimeSecret {
            if !debug, let problem = Settings.weakness(of: secret) {
                throw SettingsError(variable: "TM_REALTIME_SECRET", reason: problem)
            }
            // It is written into nginx's configuration inside double quotes.
            guard secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.+/=".contains($0)) }) else {
                throw SettingsError(variable: "TM_REALTIME_SECRET", reason: "may contain only letters, digits and - _ . + / =")
            }
        }
        realtimeTicketTTL = try int("TM_REALTIME_TICKET_TTL", 60, 5...3600)
        realtimePublishSocket = value("TM_REALTIME_PUBLISH_SOCKET")
        realtimePublishTimeoutMilliseconds = try int("TM_REALTIME_PUBLISH_TIMEOUT_MS", 500, 10...10_000)
        realtimeReplaySeconds = try int("TM_REALTIME_REPLAY_SECONDS", 300, 10...86_400)
        syncMaxBars = try int("TM_SYNC_MAX_BARS", 500_000, 0...100_000_000)
        maxJobsPerUser = try int("TM_MAX_JOBS_PER_USER", 100, 1...1_000_000)
        importAllowPrivate = try bool("TM_IMPORT_ALLOW_PRIVATE", false)
        importMaxBytes = try int("TM_IMPORT_MAX_BYTES", 256 << 20, 1...(1 << 40))
        importTimeoutSeconds = try int("TM_IMPORT_TIMEOUT_SECONDS", 300, 1...86_400)
        tradeMasterStallSeconds = try int("TM_TRADEMASTER_STALL_S", 600, 1...86_400)
        tradeMasterTimeoutSeconds = try int("TM_TRADEMASTER_TIMEOUT_S", 21_600, 1...604_800)
        tradeMasterPollMilliseconds = try int("TM_TRADEMASTER_POLL_MS", 1000, 10...600_000)
        tradeMasterMaxPollMilliseconds = try int("TM_TRADEMASTER_MAX_POLL_MS", 10_000, 10...600_000)
        tradeMasterRetries = try int("TM_TRADEMASTER_RETRIES", 4, 1...20)
        tradeMasterRetryMilliseconds = try int("TM_TRADEMASTER_RETRY_MS", 500, 1...60_000)
        tradeMasterBreakerFailures = try int("TM_TRADEMASTER_BREAKER_FAILURES", 5, 1...1000)
        tradeMasterBreakerOpenSeconds = try int("TM_TRADEMASTER_BREAKER_OPEN_S", 30, 1...3600)
        if let raw = value("TM_TRADEMASTER_OUTAGE_MIN") {
            guard let minutes = Double(raw), minutes.isFinite, (0...1440).contains(minutes) else {
                throw SettingsError(
                    variable: "TM_TRADEMASTER_OUTAGE_MIN", reason: "must be a number of minutes in 0...1440, not \(raw.debugDescription)")
            }
            tradeMasterOutageMinutes = minutes
        } else {
            tradeMasterOutageMinutes = 30
        }
        trainingThreads = try int("TM_TRAINING_THREADS", 0, 0...256)
    }

    /// `url` with the password of its user information replaced by `****`, for messages:
    /// a URL that does not parse may still carry one (`postgres://user:secret@host:port`).
    static func redacted(_ url: String) -> String {
        guard let range = passwordRange(in: url) else { return url }
        return url.replacingCharacters(in: range, with: "****")
    }

    /// The password a URL carries (`scheme://user:password@…`), or nil.
    static func password(in url: String) -> String? { passwordRange(in: url).map { String(url[$0]) } }

    private static func passwordRange(in url: String) -> Range<String.Index>? {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        guard let at = url[start...].lastIndex(of: "@"), let colon = url[start..<at].firstIndex(of: ":") else { return nil }
        return url.index(after: colon)..<at
    }

    /// Why `key` is unfit for production, or nil when it is acceptable: at least 32
    /// characters, not a placeholder, not one repeated character.
    public static func weakness(of key: String) -> String? {
        if key.count < 32 { return "is too short (\(key.count) characters; at least 32 are required)" }
        let lowered = key.lowercased()
        let placeholders = ["change", "secret", "example", "default", "placeholder", "your-", "your_", "insecure", "password", "xxxx"]
        if let word = placeholders.first(where: { lowered.contains($0) }) {
            return "looks like a placeholder (contains \(word.debugDescription)); generate one with: openssl rand -hex 32"
        }
        if Set(key).count < 8 { return "has too few distinct characters to be random" }
        return nil
    }

    /// Parses `.env` text: `KEY=value` lines, `#` comments, optional `export `, single or
    /// double quotes.
    public static func parseDotEnv(_ text: String, file: String = ".env") throws -> [String: String] {
        var result: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw SettingsError(variable: "\(file):\(number + 1)", reason: "expected KEY=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw SettingsError(variable: "\(file):\(number + 1)", reason: "invalid variable name")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            result[key] = value
        }
        return result
    }
}

extension Settings {
    /// The training engines' configuration.
    public var training: TrainingConfiguration {
        TrainingConfiguration(
            tradeMasterURL: tradeMasterURL, callTimeout: 10,
            policy: TradeMasterClient.Policy(attempts: tradeMasterRetries, firstDelay: Double(tradeMasterRetryMilliseconds) / 1000),
            pollSeconds: Double(tradeMasterPollMilliseconds) / 1000,
            maximumPollSeconds: Double(max(tradeMasterPollMilliseconds, tradeMasterMaxPollMilliseconds)) / 1000,
            stallSeconds: Double(tradeMasterStallSeconds), timeoutSeconds: Double(tradeMasterTimeoutSeconds),
            breakerThreshold: tradeMasterBreakerFailures, breakerOpenSeconds: Double(tradeMasterBreakerOpenSeconds),
            outageBudgetSeconds: tradeMasterOutageMinutes * 60,
            searchThreads: trainingThreads == 0 ? ProcessInfo.processInfo.activeProcessorCount : trainingThreads)
    }
}
