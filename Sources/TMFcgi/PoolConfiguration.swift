#if canImport(Glibc)
import Glibc
#endif

/// The shape and limits of the process pool.
public struct PoolConfiguration: Sendable {
    /// Worker processes (`TM_WORKERS`).
    public var workers: Int
    /// Threads per worker (`TM_THREADS`).
    public var threads: Int
    /// Requests a worker serves before it is replaced; 0 means never (`TM_MAX_REQUESTS`).
    public var maxRequests: Int
    /// Where to listen (`TM_LISTEN`, or systemd's socket).
    public var listen: ListenAddress
    /// Seconds in-flight requests get to finish on SIGTERM before workers are killed.
    public var shutdownTimeout: Double
    /// Seconds a new generation gets to become ready on SIGHUP before the reload is abandoned.
    public var readyTimeout: Double
    /// Permissions of a unix socket file.
    public var socketMode: mode_t
    /// Whether the master creates the shared metrics region the workers count in.
    public var metrics: Bool

    /// A configuration; defaults suit a 2-core host behind nginx (any upstream `keepalive`:
    /// an idle kept connection holds no thread).
    public init(
        workers: Int = 2, threads: Int = 8, maxRequests: Int = 0,
        listen: ListenAddress = .unix(path: "/run/trademaster/tm.sock"),
        shutdownTimeout: Double = 30, readyTimeout: Double = 10, socketMode: mode_t = 0o660, metrics: Bool = true
    ) {
        self.workers = workers
        self.threads = threads
        self.maxRequests = maxRequests
        self.listen = listen
        self.shutdownTimeout = shutdownTimeout
        self.readyTimeout = readyTimeout
        self.socketMode = socketMode
        self.metrics = metrics
    }
}
