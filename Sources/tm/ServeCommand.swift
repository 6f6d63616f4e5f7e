import ArgumentParser
import CurlHTTP
import Foundation
import Handlers
import Logging
import Metrics
import Models
import TMFcgi

/// `tm serve`: the FastCGI pool.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the FastCGI pool: a master and worker processes × threads, for nginx.",
        discussion: """
            The master listens on TM_LISTEN (a unix socket path, or host:port), or on the socket \
            systemd passes (LISTEN_FDS). It restarts crashed workers, replaces a worker after \
            TM_MAX_REQUESTS requests, reloads with no failed request on SIGHUP (new workers first), \
            and on SIGTERM lets in-flight requests finish (up to TM_SHUTDOWN_TIMEOUT seconds).
            It refuses to start (exit code 2) on a database with migrations newer than this binary.
            Flags override the environment; settings are read from the environment and .env.
            """)

    @Option(help: "Worker processes (TM_WORKERS, default 2).")
    var workers: Int?

    @Option(help: "Threads per worker (TM_THREADS, default 8).")
    var threads: Int?

    @Option(help: "Requests before a worker is replaced; 0 = never (TM_MAX_REQUESTS).")
    var maxRequests: Int?

    @Option(help: "Unix socket path or host:port (TM_LISTEN).")
    var listen: String?

    @Flag(help: .hidden)
    var worker = false

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be in 1...256") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be in 1...256") }
        if let maxRequests, maxRequests < 0 { throw ValidationError("--max-requests must be 0 or more") }
        if let listen, ListenAddress(parsing: listen) == nil { throw ValidationError("--listen must be a socket path or host:port") }
    }

    func run() throws {
        let settings = Startup.settings()
        let threads = self.threads ?? settings.threads
        let maxRequests = self.maxRequests ?? settings.maxRequests
        if worker {
            let logger = Startup.logger("tm.worker", settings: settings)
            // A reload starts workers from the binary now installed: one older than the
            // schema (a rollback after a migration) exits here, so the master abandons the
            // reload and the running generation keeps serving.
            try Startup.requireKnownSchema(settings: settings, logger: logger, quiet: true)
            // libcurl's global state, before any thread exists.
            if !HTTPClient.initializeLibrary() { logger.error("libcurl could not be initialised: TradeMaster calls will fail") }
            // The master's shared metrics region, when it made one; else counts stay in this process.
            let metrics = ProcessInfo.processInfo.environment["TM_METRICS_REGION"].flatMap(MetricsRegion.attach(path:))
            let application = try API.makeApplication(settings: settings, logger: logger, metrics: metrics)
            throw ExitCode(WorkerProcess.run(application: application, threads: threads, maxRequests: maxRequests, logger: logger))
        }
        let logger = Startup.logger("tm.master", settings: settings)
        try Startup.requireKnownSchema(settings: settings, logger: logger)
        let environment = ProcessInfo.processInfo.environment
        let address: ListenAddress
        if let systemd = ListenAddress.fromSystemd(environment: environment) {
            address = systemd
        } else if let text = listen ?? settings.listen {
            guard let parsed = ListenAddress(parsing: text) else {
                throw ValidationError("TM_LISTEN must be a socket path or host:port, not \(text)")
            }
            address = parsed
        } else {
            address = PoolConfiguration().listen
        }
        let pool = PoolConfiguration(
            workers: workers ?? settings.workers, threads: threads, maxRequests: maxRequests, listen: address,
            shutdownTimeout: settings.shutdownTimeout, socketMode: mode_t(settings.socketMode), metrics: settings.metrics)
        if settings.debug { logger.warning("DEBUG is on: do not run this in production") }
        let master = Master(
            configuration: pool, executable: Master.currentExecutable(),
            workerArguments: ["serve", "--worker", "--threads", "\(threads)", "--max-requests", "\(maxRequests)"],
            logger: logger)
        throw ExitCode(master.run())
    }
}
