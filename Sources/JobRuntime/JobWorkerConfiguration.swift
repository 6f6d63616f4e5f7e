/// How a `tm worker` runs jobs.
public struct JobWorkerConfiguration: Sendable {
    /// The lease owner name of this process (host, pid and a random tag).
    public var workerID: String
    /// Job threads.
    public var concurrency: Int
    /// Seconds a lease lasts without a heartbeat (heartbeats come every third of it).
    public var leaseSeconds: Double
    /// Seconds between polls when no `NOTIFY` arrives (the fallback).
    public var pollSeconds: Double
    /// The first retry's delay in seconds; doubled per attempt, with jitter.
    public var backoffSeconds: Double
    /// The longest retry delay in seconds.
    public var backoffCapSeconds: Double
    /// Finished jobs older than this many days are pruned.
    public var retentionDays: Int
    /// Seconds a shutdown waits for running jobs before releasing them.
    public var shutdownSeconds: Double
    /// Where this host's workers keep their crash records (nil: none; a crash then ends the
    /// worker's jobs by lease expiry, each charged an attempt).
    public var crashDirectory: String?
    /// A job that stopped its worker this many times fails for good.
    public var maxCrashes: Int

    /// A configuration; every value has the default of its setting.
    public init(
        workerID: String, concurrency: Int = 4, leaseSeconds: Double = 30, pollSeconds: Double = 5,
        backoffSeconds: Double = 1, backoffCapSeconds: Double = 3600, retentionDays: Int = 30,
        shutdownSeconds: Double = 30, crashDirectory: String? = nil, maxCrashes: Int = 2
    ) {
        self.workerID = workerID
        self.concurrency = concurrency
        self.leaseSeconds = leaseSeconds
        self.pollSeconds = pollSeconds
        self.backoffSeconds = backoffSeconds
        self.backoffCapSeconds = backoffCapSeconds
        self.retentionDays = retentionDays
        self.shutdownSeconds = shutdownSeconds
        self.crashDirectory = crashDirectory
        self.maxCrashes = maxCrashes
    }

    /// The delay before attempt `attempt + 1` after attempt `attempt` failed:
    /// base × 2^(attempt−1) × a jitter in [1, 1.5), so every delay is longer than the last.
    public func retryDelay(afterAttempt attempt: Int) -> Double {
        let exponential = backoffSeconds * pow2(max(0, attempt - 1))
        return min(exponential, backoffCapSeconds) * Double.random(in: 1..<1.5)
    }

    private func pow2(_ n: Int) -> Double {
        n >= 62 ? Double.greatestFiniteMagnitude : Double(1 << n)
    }
}
