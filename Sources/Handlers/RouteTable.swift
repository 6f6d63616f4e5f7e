import CurlHTTP
import Foundation
import JobRuntime
import Metrics
import Models
import PostgresClient
import Quant
import Realtime
import RedisClient
import Security
import Support
import TMFcgi
import TradeMasterAPI

/// The API's route table: every route with its method, path, access (``RouteAccess``) and
/// documentation (``RouteDoc``), one handler type after another, in the order `API`
/// registers them. The handlers stay where their logic is (`Auth/`, `Data/`…); this file
/// is what a reader (or a review of who may call what) reads to see the whole API at once,
/// and what the OpenAPI document is built from. The bar, chart and upload routes are still
/// registered beside their handlers.

// MARK: - HealthHandlers.swift

extension HealthHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/health", .anyone, doc: RouteDoc("Liveness: the process answers", tag: "system", response: Liveness.self),
            use: health)
        routes.get(
            "/api/v1/status", .anyone,
            doc: RouteDoc(
                "Readiness: PostgreSQL, Redis and TradeMaster", tag: "system",
                description: "503 with the same report when PostgreSQL or Redis is down.", response: Report.self,
                alsoWithBody: [503]), use: status)
    }
}

// MARK: - DiagnosticHandlers.swift

extension DiagnosticHandlers {
    /// Adds the routes under `/_diag`.
    public func register(on routes: inout Routes) {
        routes.get(
            "/_diag/sleep", .anyone,
            doc: RouteDoc(
                "Sleep ms milliseconds (diagnostics only)", tag: "diagnostics",
                response: Slept.self, query: [.integer("ms", 0...60_000, "How long to sleep.")]), use: sleep)
        if database != nil {
            routes.get(
                "/_diag/pg-sleep", .anyone,
                doc: RouteDoc(
                    "A statement of ms milliseconds (pg_sleep; diagnostics only)", tag: "diagnostics",
                    response: Slept.self, errors: [504], query: [.integer("ms", 0...600_000, "How long the statement takes.")]),
                use: pgSleep)
        }
        routes.post(
            "/_diag/upload", .anyone, options: RouteOptions(maxBodySize: 64 << 20),
            doc: RouteDoc(
                "Stream a body and count its bytes (diagnostics only)", tag: "diagnostics", response: Uploaded.self), use: upload)
        routes.post(
            "/_diag/echo", .anyone,
            doc: RouteDoc(
                "Echo a JSON body (diagnostics only)", tag: "diagnostics",
                body: Payload.self, response: Payload.self), use: echo)
    }
}

// MARK: - Auth/AuthHandlers.swift

extension AuthHandlers {
    /// Adds the routes: all public.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/auth/register", .anyone,
            doc: RouteDoc(
                "Create an account (role user)", tag: "auth", body: Registration.self, errors: [409],
                example: .object([
                    ("username", .string("alice")), ("email", .string("alice@example.com")),
                    ("password", .string("Correct-Horse-42")), ("full_name", .string("Alice Liddell")), ("agree_terms", .bool(true)),
                ])),
            use: register)
        routes.post(
            "/api/v1/auth/login", .anyone,
            doc: RouteDoc(
                "Log in with username or email and password", tag: "auth", body: Login.self, response: LoginResult.self,
                errors: [401, 403, 429], example: .object([("username", .string("alice")), ("password", .string("Correct-Horse-42"))])),
            use: login)
        routes.post(
            "/api/v1/auth/token", .anyone,
            doc: RouteDoc(
                "OAuth2 password grant (for API documentation tools)", tag: "auth",
                description: "RFC 6749 §4.3. Errors other than throttling use RFC 6749 §5.2's {error, error_description} with status 400.",
                body: TokenForm.self, form: true, response: TokenPair.self, errors: [429], jsonErrors: [400: OAuthError.self]),
            use: token)
        routes.post(
            "/api/v1/auth/refresh", .anyone,
            doc: RouteDoc(
                "Exchange a refresh token for a new pair (each works once)", tag: "auth", body: Refresh.self,
                response: TokenPair.self, errors: [401]),
            use: refresh)
    }
}

// MARK: - Auth/AccountHandlers.swift

extension AccountHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get("/api/v1/auth/me", .caller(.read), doc: RouteDoc("The caller's account", tag: "auth", response: User.self), use: show)
        routes.on(
            .patch, "/api/v1/auth/me", .session(.read),
            doc: RouteDoc(
                "Change the caller's name or email (a new email revokes their API keys)", tag: "auth", body: ProfileChange.self,
                errors: [409], example: .object([("full_name", .string("Alice L."))])), use: update)
        routes.post(
            "/api/v1/auth/change-password", .session(.read),
            doc: RouteDoc(
                "Change the password; ends other sessions and revokes API keys", tag: "auth", body: PasswordChange.self,
                errors: [409, 429]), use: changePassword)
        routes.post(
            "/api/v1/auth/logout", .session(.read),
            doc: RouteDoc(
                "End this session, or every session with all_devices", tag: "auth", body: Logout.self, bodyOptional: true),
            use: logout)
    }
}

// MARK: - Auth/SessionHandlers.swift

extension SessionHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/auth/sessions", .session(.read), doc: RouteDoc("The caller's live sessions, newest first", tag: "auth"),
            use: list)
        routes.on(
            .delete, "/api/v1/auth/sessions/:id", .session(.read),
            doc: RouteDoc(
                "End one of the caller's sessions", tag: "auth", stringParameters: ["id"]), use: delete)
    }
}

// MARK: - Auth/APIKeyHandlers.swift

extension APIKeyHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/auth/api-keys", .session(.read),
            doc: RouteDoc(
                "Make a personal API key (shown once)", tag: "auth", body: Draft.self, response: NewKey.self, status: 201,
                example: .object([("name", .string("notebook")), ("expires_at", .string("2030-01-31T12:00:00Z"))])), use: create)
        routes.get("/api/v1/auth/api-keys", .session(.read), doc: RouteDoc("The caller's live API keys", tag: "auth"), use: list)
        routes.on(
            .delete, "/api/v1/auth/api-keys/:id", .session(.read), doc: RouteDoc("Revoke an API key at once", tag: "auth"),
            use: delete)
    }
}

// MARK: - Auth/AdminUserHandlers.swift

extension AdminUserHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/admin/users", .caller(.admin),
            doc: RouteDoc(
                "List and search users, newest first", tag: "admin",
                query: [.string("q", "Part of the username or email, case-insensitive.", maxLength: 254)], paged: true), use: list)
        routes.on(
            .patch, "/api/v1/admin/users/:id", .session(.admin),
            doc: RouteDoc(
                "Change a user's role or active state", tag: "admin", body: Change.self, response: User.self, errors: [409],
                example: .object([("role", .string("analyst"))])), use: update)
    }
}

// MARK: - Jobs/JobHandlers.swift

extension JobHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/jobs", .caller(.read),
            doc: RouteDoc(
                "The caller's jobs (every job for admins), newest first", tag: "jobs",
                query: [.string("status", "queued, running, succeeded, failed or cancelled."), .string("kind", "A registered job kind.")],
                paged: true), use: list)
        routes.get(
            "/api/v1/jobs/:id", .caller(.read),
            doc: RouteDoc(
                "One job: status, progress, attempts, timestamps, result or error", tag: "jobs"), use: show)
        routes.post(
            "/api/v1/jobs/:id/cancel", .caller(.run),
            doc: RouteDoc(
                "Cancel a job: queued ones at once (200), running ones at their next progress report (202)", tag: "jobs",
                response: Job.self, status: 200, errors: [409], alsoWithBody: [202]), use: cancel)
    }
}

// MARK: - MetricsHandlers.swift

extension MetricsHandlers {
    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.get(
            "/metrics", .anyone,
            doc: RouteDoc(
                "Prometheus metrics (text exposition format; nginx allows internal addresses only)", tag: "system",
                status: 200, mediaType: PrometheusText.contentType), use: scrape)
    }
}

// MARK: - Data/DatasetHandlers.swift

extension DatasetHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/data/datasets", .caller(.read),
            doc: RouteDoc(
                "List your datasets", tag: "data", response: Page<Dataset>.self,
                query: [
                    .string("q", "Part of the name or description, case-insensitive.", maxLength: 200),
                    .string("tags", "Comma-separated tags the dataset must all have.", maxLength: 1100),
                    .string("symbol", "A symbol the dataset must hold.", maxLength: 64),
                    .choice("sort", DatasetSort.allCases.map(\.rawValue), "Order (default -created_at)."),
                ], paged: true), use: list)
        routes.get(
            "/api/v1/data/datasets/:id", .caller(.read),
            doc: RouteDoc(
                "A dataset with its summary and quality report", tag: "data", response: Dataset.self), use: show)
        routes.on(
            .patch, "/api/v1/data/datasets/:id", .caller(.create),
            doc: RouteDoc(
                "Rename a dataset or change its description or tags (If-Match: its ETag)", tag: "data", body: Change.self,
                response: Dataset.self, errors: [409, 412], example: .object([("description", .string("Daily bars, 2020-2024"))])), use: update)
        routes.on(
            .delete, "/api/v1/data/datasets/:id", .caller(.create),
            doc: RouteDoc(
                "Delete a dataset and its bars (If-Match: its ETag)", tag: "data",
                description: "A dataset that strategy runs reference is a 409 unless force=true (the runs then lose the reference).",
                errors: [409, 412],
                query: [
                    RouteDoc.QueryParameter(
                        "force", .object([("type", .string("boolean"))]),
                        "Delete even when strategy runs reference the dataset (default false).")
                ]), use: delete)
    }
}

// MARK: - Data/PreprocessHandlers.swift

extension PreprocessHandlers {
    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/data/preprocess", .caller(.create),
            doc: RouteDoc(
                "Derive a dataset: resample, clean, add indicators and features, normalize, split", tag: "data",
                description: """
                    Steps run in order on each symbol with the Quant functions. Row steps first: `resample` (to: 5min…1d, OHLCV \
                    aggregation, buckets aligned on the dataset's timezone), `clip_outliers` and `drop_outliers` (z on close-to-close returns, default 3; clipping rebuilds \
                    the close from the clipped returns and scales the bar). Then column steps: `indicators` (sma, ema, rsi, macd, \
                    bollinger, atr; columns like sma_20), `trademaster_features` (zopen, zhigh, zlow, zclose, zd_5…zd_30), \
                    `fill_missing` (method ffill, bfill, interpolate or drop, over added columns), `normalize` (method zscore or \
                    minmax over added columns, or open…volume as new `<name>_<method>` columns, fitted on the first `train` \
                    fraction: the split step's, else 0.7), `split` (train/valid/test fractions, chronological per symbol, stored \
                    as a column `split`: 0 train, 1 valid, 2 test). Every step is checked before any work (422 at its pointer). \
                    Up to TM_SYNC_MAX_ROWS source rows the answer is 201 with the dataset; above, 202 with the queued \
                    data.preprocess job (Location: the job; its result holds dataset_id).
                    """,
                body: Body.self, response: Dataset.self, status: 201, errors: [404, 409, 413, 507],
                example: .object([
                    ("dataset_id", .integer(1)), ("name", .string("AAPL hourly with SMA")),
                    (
                        "steps",
                        .array([
                            .object([("op", .string("resample")), ("to", .string("1h"))]),
                            .object([
                                ("op", .string("indicators")),
                                ("indicators", .array([.object([("name", .string("sma")), ("window", .integer(20))])])),
                            ]),
                        ])
                    ),
                ])),
            use: preprocess)
    }
}

// MARK: - Data/ImportHandlers.swift

extension ImportHandlers {
    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/data/import", .caller(.create),
            doc: RouteDoc(
                "Import a CSV from an http(s) URL as a new dataset (a job)", tag: "data",
                description: """
                    Answers 202 with the queued data.import job (Location: the job); its result holds dataset_id. The file is \
                    loaded as an upload would be (layouts, checks, limits). The URL's host must resolve to public addresses only \
                    (loopback, private, link-local and metadata addresses and the server's own addresses are refused, on any port): an \
                    address literal is a 422 at /url, a name is resolved by the job, which fails when it resolves to a refused address. \
                    The download is pinned to the checked address, capped in size and time, and redirects are not followed; it goes to a \
                    temporary file, and the rows are written once it is complete. A name you already use, or an import \
                    of it still running, is a 409.
                    """,
                body: Body.self, response: Job.self, status: 202, errors: [409],
                example: .object([("url", .string("https://example.com/prices/AAPL.csv")), ("name", .string("AAPL daily"))])),
            use: create)
    }
}

// MARK: - Strategies/StrategyHandlers.swift

extension StrategyHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/strategies", .caller(.read),
            doc: RouteDoc(
                "List your strategies (every strategy for admins)", tag: "strategies", response: Page<StrategyRecord>.self,
                query: [
                    .choice("strategy_type", StrategyType.allCases.map(\.rawValue), "Only this type."),
                    .choice("status", StrategyStatus.allCases.map(\.rawValue), "Only this status."),
                    .choice("engine", StrategyEngine.allCases.map(\.rawValue), "Only this engine."),
                    .string("tag", "Only strategies with this tag.", maxLength: 50),
                    .string("q", "Part of the name or description, case-insensitive.", maxLength: 200),
                    .choice("sort", StrategySort.allCases.map(\.rawValue), "Order (default -created_at)."),
                ], paged: true), use: list)
        routes.post(
            "/api/v1/strategies", .caller(.create),
            doc: RouteDoc(
                "Create a strategy (builtin kind + parameters, or a trademaster config)", tag: "strategies", body: StrategyBody.self,
                response: StrategyRecord.self, status: 201, errors: [409],
                example: .object([
                    ("name", .string("SMA 10/30")), ("strategy_type", .string("algorithmic_trading")),
                    ("engine", .string("builtin")), ("kind", .string("sma_crossover")),
                    ("parameters", .object([("fast", .integer(10)), ("slow", .integer(30))])),
                ])),
            use: create)
        routes.get(
            "/api/v1/strategies/kinds", .caller(.read),
            doc: RouteDoc(
                "The built-in strategy kinds with every parameter's type, default, range and description", tag: "strategies"),
            use: kinds)
        routes.get(
            "/api/v1/strategies/:id", .caller(.read),
            doc: RouteDoc(
                "A strategy (ETag: its version)", tag: "strategies", response: StrategyRecord.self), use: show)
        routes.on(
            .put, "/api/v1/strategies/:id", .caller(.create),
            doc: RouteDoc(
                "Replace a strategy's editable fields (If-Match: its ETag)", tag: "strategies", body: StrategyBody.self,
                response: StrategyRecord.self, errors: [409, 412]), use: replace)
        routes.on(
            .patch, "/api/v1/strategies/:id", .caller(.create),
            doc: RouteDoc(
                "Change some of a strategy's fields (If-Match: its ETag)", tag: "strategies", body: StrategyChange.self,
                response: StrategyRecord.self, errors: [409, 412], example: .object([("description", .string("Tuned"))])), use: update)
        routes.on(
            .delete, "/api/v1/strategies/:id", .caller(.create),
            doc: RouteDoc(
                "Delete a strategy and its runs (If-Match: its ETag)", tag: "strategies", errors: [409, 412]), use: delete)
        routes.post(
            "/api/v1/strategies/:id/clone", .caller(.create),
            doc: RouteDoc(
                "Copy a strategy under a new name (as a draft)", tag: "strategies", body: CloneBody.self,
                response: StrategyRecord.self, status: 201, errors: [409],
                example: .object([("name", .string("SMA 10/30 (copy)"))])), use: clone)
    }
}

// MARK: - Strategies/StrategyRunHandlers.swift

extension StrategyRunHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/strategies/:id/execute", .caller(.run),
            doc: RouteDoc(
                "Run a strategy on a dataset (backtest, or paper at bars_per_second): 202 with the queued run",
                tag: "strategies",
                description: "Send Idempotency-Key to make a retry answer the first request's run instead of starting another (kept 24 h).",
                body: ExecuteBody.self, response: Run.self, status: 202, errors: [409],
                example: .object([("dataset_id", .integer(1)), ("symbol", .string("AAPL")), ("mode", .string("backtest"))])), use: execute)
        routes.post(
            "/api/v1/strategies/:id/stop", .caller(.run),
            doc: RouteDoc(
                "Stop the strategy's live runs (a paper run ends cancelled and keeps its trades so far); answers the runs it stopped",
                tag: "strategies", response: RunList.self, status: 200), use: stop)
        routes.get(
            "/api/v1/strategies/:id/runs", .caller(.read),
            doc: RouteDoc(
                "The strategy's runs, newest first", tag: "strategies", response: Page<Run>.self, query: RunHandlers.listQuery, paged: true),
            use: runs)
    }
}

// MARK: - Runs/RunHandlers.swift

extension RunHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/runs", .caller(.read),
            doc: RouteDoc(
                "Your runs, newest first (every run for admins)", tag: "runs", response: Page<Run>.self, query: Self.listQuery, paged: true),
            use: list)
        routes.get(
            "/api/v1/runs/:id", .caller(.read),
            doc: RouteDoc(
                "A run: status, progress, snapshot of what ran, dataset, timings, summary and metrics, error", tag: "runs"), use: show)
        routes.get(
            "/api/v1/runs/:id/trades", .caller(.read),
            doc: RouteDoc(
                "A run's trades in entry order", tag: "runs", response: Page<RunTrade>.self, paged: true), use: trades)
        routes.get(
            "/api/v1/runs/:id/equity", .caller(.read),
            doc: RouteDoc(
                "A run's equity curve with drawdown and position, downsampled", tag: "runs",
                query: [.integer("max_points", 2...10_000, "The most points to answer (default 1000).")]), use: equity)
        routes.on(
            .delete, "/api/v1/runs/:id", .caller(.create),
            doc: RouteDoc(
                "Delete a finished run and its results (409 while it is queued or running: stop it first)", tag: "runs", errors: [409]),
            use: delete)
    }
}

// MARK: - Realtime/RealtimeHandlers.swift

extension RealtimeHandlers {
    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/realtime/tickets", .caller(.read),
            doc: RouteDoc(
                "Signed subscribe URLs (WebSocket and EventSource) for the caller's channels", tag: "realtime",
                description: """
                    Channels: `user` (the caller's own user channel), `user:{id}`, `run:{id}`, `job:{id}`, `training:{id}`. \
                    Any channel the caller may not see makes the whole request a 404. Each ticket's URL \
                    opens one WebSocket or EventSource connection (the same path) until `expires_at`: a second \
                    connection with it (a reconnect included) is a 403, so ask for a new ticket to reconnect; a \
                    connection already open stays open after `expires_at`. Every message is the envelope \
                    `{type, channel, seq, time, data}`, `seq` counting the channel's events.
                    """,
                body: Draft.self, response: Tickets.self, status: 200, errors: [404],
                example: .object([("channels", .array([.string("user"), .string("job:7")]))])), use: create)
        routes.get(
            "/_tm/realtime/claim", .anyone,
            doc: RouteDoc(
                "nginx's check of a real-time ticket when a client connects (internal)", tag: "realtime",
                description: """
                    Called by nginx alone (auth_request of the subscribe location, which passes the ticket in FastCGI \
                    parameters): 204 spends the ticket, 403 when it is invalid, expired or already used. Anyone else gets \
                    a 404.
                    """,
                status: 204, errors: [403, 404]), use: claim)
    }
}

// MARK: - Analysis/AnalysisHandlers.swift

extension AnalysisHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/analysis/backtest", .caller(.create),
            doc: RouteDoc(
                "Backtest a strategy (yours, or inline {kind, parameters}) on a dataset: the whole result at once, or 202 with a queued run when large",
                tag: "analysis",
                description: """
                    Up to TM_SYNC_MAX_BARS bars (500,000 by default) the backtest runs within the request and the answer is 200 with \
                    the stored run, its summary, metrics, trade statistics, trades and the equity curve (at most 1,000 points). \
                    Above, the run is queued like execute's and the answer is 202 with only `run_id` and `run` (Location: the run). \
                    Send Idempotency-Key to make a retry (the same body) answer the first answer, 200 or 202, instead of running again \
                    (kept 24 h; the same key with another body is 422).
                    """,
                body: AnalysisBacktestBody.self, response: BacktestAnswer.self, status: 200, errors: [404, 409], alsoWithBody: [202],
                example: .object([
                    (
                        "strategy",
                        .object([
                            ("kind", .string("sma_crossover")),
                            ("parameters", .object([("fast", .integer(10)), ("slow", .integer(30))])),
                        ])
                    ),
                    ("dataset_id", .integer(1)), ("symbol", .string("SPX")),
                ])), use: backtest)
        routes.get(
            "/api/v1/analysis/performance", .caller(.read),
            doc: RouteDoc(
                "Performance of a run's equity or a dataset's prices: the empyrical and TradeMaster metric sets, trade statistics, monthly and yearly returns",
                tag: "analysis", response: PerformanceAnswer.self, errors: [404, 409],
                query: CurveLoader.parameters + [.integer("periods_per_year", 1...1_000_000, "Periods per year for annualisation (default 252).")]),
            use: performance)
        routes.get(
            "/api/v1/analysis/risk", .caller(.read),
            doc: RouteDoc(
                "Risk of a run's equity or a dataset's prices: VaR and CVaR at 95 % and 99 %, the five worst drawdowns, rolling volatility, skewness, kurtosis, beta",
                tag: "analysis", response: RiskAnswer.self, errors: [404, 409],
                query: CurveLoader.parameters + [
                    .integer("periods_per_year", 1...1_000_000, "Periods per year for annualisation (default 252)."),
                    .integer("window", 2...1000, "Bars in the rolling volatility window (default 21)."),
                    .integer("max_points", 2...10_000, "The most rolling-volatility points to answer (default 1000)."),
                ]), use: risk)
        routes.post(
            "/api/v1/analysis/compare", .caller(.read),
            doc: RouteDoc(
                "Compare runs: their metric sets side by side and the correlation matrix of their returns", tag: "analysis",
                body: CompareBody.self, response: CompareAnswer.self, errors: [404, 409],
                example: .object([("run_ids", .array([.integer(1), .integer(2)]))])), use: compare)
    }
}

// MARK: - Analysis/RunReportHandlers.swift

extension RunReportHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/runs/:id/report.html", .caller(.read),
            doc: RouteDoc(
                "A run's tear sheet: one self-contained HTML page (no script, no font or image from the network)", tag: "runs",
                description: """
                    Server-rendered SVG charts (equity against the benchmark, underwater curve, monthly returns heat map, rolling \
                    Sharpe, trade return distribution) and the metric tables (performance, TradeMaster, trades, risk, worst drawdowns).
                    """,
                status: 200, mediaType: "text/html", errors: [409]), use: report)
        routes.get(
            "/api/v1/runs/:id/equity.svg", .caller(.read),
            doc: RouteDoc(
                "A run's equity curve against its benchmark as an SVG chart", tag: "runs",
                status: 200, mediaType: "image/svg+xml", errors: [409],
                query: [
                    .integer("width", 200...4000, "Width in pixels (default 960)."),
                    .integer("height", 150...3000, "Height in pixels (default 360)."),
                ]), use: equity)
    }
}

// MARK: - Training/TrainingHandlers.swift

extension TrainingHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/training/start", .caller(.run),
            doc: RouteDoc(
                "Start training a strategy: a parameter search (builtin) or a TradeMaster train and test (trademaster)", tag: "training",
                description:
                    "202 with the training and Location /api/v1/training/{id}. Send Idempotency-Key to make a retry answer the first request's training instead of starting another (kept 24 h). Search config: {method: grid|random, space: {param: {min, max, step} | [values]}, max_trials, objective: sharpe|sortino|calmar|total_return, split: {train, valid, test}, seed, symbol}. A TradeMaster run waits out an outage of the service (TM_TRADEMASTER_OUTAGE_MIN) and resumes its session. The service trains only datasets its checkout holds (a missing one fails the job with its message); EarnMore, FinAgent and portfolio management on exchange do not run on an offline service; it cannot cancel a run (see stop).",
                body: StartBody.self, response: TrainingJob.self, status: 202, errors: [404],
                example: .object([
                    ("strategy_id", .integer(1)), ("dataset_id", .integer(1)),
                    (
                        "config",
                        .object([
                            ("method", .string("grid")),
                            (
                                "space",
                                .object([
                                    ("fast", .object([("min", .integer(5)), ("max", .integer(20)), ("step", .integer(5))])),
                                    ("slow", .array([.integer(30), .integer(60)])),
                                ])
                            ),
                            ("max_trials", .integer(100)), ("objective", .string("sharpe")),
                            ("split", .object([("train", .number(0.6)), ("valid", .number(0.2)), ("test", .number(0.2))])),
                        ])
                    ),
                ])), use: start)
        routes.get(
            "/api/v1/training", .caller(.read),
            doc: RouteDoc(
                "The caller's trainings (every one for admins), newest first", tag: "training",
                query: [
                    .string("status", "queued, running, succeeded, failed or cancelled."),
                    .integer("strategy_id", 1...Int(Int64.max >> 1), "Only this strategy's."),
                ], paged: true), use: list)
        routes.get("/api/v1/training/:id", .caller(.read), doc: RouteDoc("One training (as its status)", tag: "training"), use: show)
        routes.get(
            "/api/v1/training/:id/status", .caller(.read),
            doc: RouteDoc(
                "A training's status: progress, epoch or trial, metrics history, ETA, the last 200 log lines, result or error",
                tag: "training"), use: show)
        routes.post(
            "/api/v1/training/:id/stop", .caller(.run),
            doc: RouteDoc(
                "Stop a training: queued ones at once (200), running ones at their next check (202); TradeMaster cannot cancel its own process",
                tag: "training",
                description: """
                    The TradeMaster service keeps no pid and has no cancel: a stopped TradeMaster training is marked cancelled \
                    and our polling ends, but the service's process runs on to its end (about 90 s of both cores for \
                    DeepScalper on BTC). The service trains only datasets its checkout holds; EarnMore, FinAgent and \
                    portfolio management on `exchange` do not run on an offline service.
                    """,
                response: StopAnswer.self, status: 200, errors: [409], alsoWithBody: [202]), use: stop)
        routes.post(
            "/api/v1/training/:id/apply", .caller(.run),
            doc: RouteDoc(
                "Write a finished search's best parameters to its strategy as a new version", tag: "training",
                response: ApplyAnswer.self, status: 200, errors: [409]), use: apply)
        var plot = RouteDoc("The result plot of a TradeMaster training (PNG)", tag: "training")
        plot.status = 200
        plot.otherMediaTypes = ["image/png"]
        routes.get("/api/v1/training/:id/plot.png", .caller(.read), doc: plot, use: plotImage)
    }
}

// MARK: - Training/MarketDynamicsHandlers.swift

extension MarketDynamicsHandlers {
    /// Adds the routes.
    public func register(on routes: inout Routes) {
        let base = "/api/v1/analysis/market-dynamics"
        routes.post(
            base, .caller(.run),
            doc: RouteDoc(
                "Label a dataset's market dynamics with TradeMaster (a job)", tag: "analysis",
                description: """
                    202 with the analysis and Location. The job fills the service's defaults for the dataset (evaluation_getParameters: \
                    min_length_limit, filter_strength, max_length_expectation, key_indicator, timestamp, tic, merging_metric, \
                    merging_threshold, merging_dynamic_constraint; `options` overrides them), runs start_market_dynamics_labeling \
                    and polls MDM_status. The result's `analysis` is the service's CSV (one row per market dynamic) parsed into \
                    `rows`, served as `images/analysis.csv` (text/csv) and drawn as a table in `images/analysis.svg`. Give \
                    `training_id` (a succeeded TradeMaster training) to label in that agent's session: only such an analysis \
                    can be dynamics-tested. The service runs only the datasets its checkout holds (a missing one fails the job \
                    with the service's message).
                    """,
                body: StartBody.self, response: TrainingJob.self, status: 202, errors: [404, 422],
                example: .object([
                    ("dataset_name", .string("algorithmic_trading:BTC")), ("start_date", .string("2020-01-01")),
                    ("end_date", .string("2021-01-01")), ("number_of_market_style", .integer(3)),
                    ("labeling_method", .string("quantile")),
                ])), use: start)
        routes.get(
            base, .caller(.read),
            doc: RouteDoc(
                "The caller's market-dynamics analyses, newest first", tag: "analysis",
                query: [.string("status", "queued, running, succeeded, failed or cancelled.")], paged: true), use: list)
        routes.get(base + "/:id", .caller(.read), doc: RouteDoc("One market-dynamics analysis", tag: "analysis"), use: show)
        routes.post(
            base + "/:id/save", .caller(.run),
            doc: RouteDoc(
                "Save a finished labelling on the TradeMaster service (needed before a dynamics test)", tag: "analysis",
                response: TrainingJob.self, status: 200, errors: [409, 503]), use: save)
        routes.post(
            base + "/:id/dynamics-test", .caller(.run),
            doc: RouteDoc(
                "Test one market style's dynamics (a job; keeps the radar plot)", tag: "analysis",
                description: """
                    Runs the trained agent of the analysis's `training_id` on the label's periods. An analysis labelled \
                    without a training has no agent (the service's script would exit at once): 409, as for a labelling \
                    not yet saved.
                    """,
                body: DynamicsTestBody.self, response: TrainingJob.self, status: 202, errors: [409, 422]), use: dynamicsTest)
        routes.post(
            base + "/:id/stop", .caller(.run),
            doc: RouteDoc(
                "Stop the running step (TradeMaster cannot cancel its own process)", tag: "analysis",
                response: TrainingHandlers.StopAnswer.self, status: 200, errors: [409], alsoWithBody: [202]), use: stop)
        var image = RouteDoc(
            "A file of the analysis: visualization.png, radar_{label}.png, analysis.csv (the service's analysis), "
                + "analysis.svg (that CSV as a table) or analysis.png (when the service drew the analysis)", tag: "analysis",
            stringParameters: ["name"])
        image.status = 200
        image.otherMediaTypes = ["image/png", "text/csv", "image/svg+xml"]
        routes.get(base + "/:id/images/:name", .caller(.read), doc: image, use: imageFile)
    }
}

// MARK: - Training/TradeMasterCatalogueHandlers.swift

extension TradeMasterCatalogueHandlers {
    /// Adds the route.
    func register(on routes: inout Routes) {
        routes.get(
            "/api/v1/trademaster/catalogue", .caller(.read),
            doc: RouteDoc(
                "What the TradeMaster service offers: tasks with their datasets and agents, optimizers, losses (cached)",
                tag: "training",
                description: """
                    Read from the service's getParameters and kept 5 minutes per pool worker. `stale: true` means the \
                    service could not be asked (it failed, or the job workers' circuit breaker is open): the answer is \
                    the last copy, `stale_reason` says why. With no copy at all: 503 with Retry-After. `circuit` is the \
                    job workers' breaker as recorded (`closed`, `open`, `half_open`). Datasets and agents are named alone \
                    (`BTC`) and as `train` takes them (`qualified_name`, `algorithmic_trading:BTC`).
                    """,
                response: Answer.self, errors: [503],
                query: [
                    .string("task", "Only this task (one of the service's task names).", maxLength: 100),
                    .choice("refresh", ["true", "false"], "true: ask the service now rather than answer a copy younger than 5 minutes."),
                ]), use: show)
    }
}
