import TradeMasterAPI

/// How training jobs talk to TradeMaster and run searches (from `Settings`).
public struct TrainingConfiguration: Sendable {
    /// `TRADEMASTER_API_URL`.
    public var tradeMasterURL: String
    /// Deadline of one call, seconds.
    public var callTimeout: Double
    /// Retries of a call that got no answer.
    public var policy: TradeMasterClient.Policy
    /// The first poll interval of a `*_status` route, seconds; it grows ×1.5 while the log
    /// does not change, up to `maximumPollSeconds`, and starts again when it does.
    public var pollSeconds: Double
    /// The longest poll interval.
    public var maximumPollSeconds: Double
    /// A run whose log has not grown for this long failed (`TM_TRADEMASTER_STALL_S`).
    public var stallSeconds: Double
    /// The longest a whole train → test (or labelling) may take (`TM_TRADEMASTER_TIMEOUT_S`).
    public var timeoutSeconds: Double
    /// Consecutive failed calls that open the circuit breaker.
    public var breakerThreshold: Int
    /// Seconds the breaker stays open.
    public var breakerOpenSeconds: Double
    /// How long a job waits out a service that does not answer before it fails, seconds
    /// (`TM_TRADEMASTER_OUTAGE_MIN` × 60); waiting spends no attempt.
    public var outageBudgetSeconds: Double
    /// Trial threads of a parameter search.
    public var searchThreads: Int

    /// A configuration; the defaults are the settings' defaults.
    public init(
        tradeMasterURL: String = "http://localhost:8080", callTimeout: Double = 10,
        policy: TradeMasterClient.Policy = TradeMasterClient.Policy(), pollSeconds: Double = 1,
        maximumPollSeconds: Double = 10, stallSeconds: Double = 600, timeoutSeconds: Double = 21_600,
        breakerThreshold: Int = 5, breakerOpenSeconds: Double = 30, outageBudgetSeconds: Double = 1800,
        searchThreads: Int = 2
    ) {
        self.tradeMasterURL = tradeMasterURL
        self.callTimeout = callTimeout
        self.policy = policy
        self.pollSeconds = pollSeconds
        self.maximumPollSeconds = maximumPollSeconds
        self.stallSeconds = stallSeconds
        self.timeoutSeconds = timeoutSeconds
        self.breakerThreshold = breakerThreshold
        self.breakerOpenSeconds = breakerOpenSeconds
        self.outageBudgetSeconds = max(0, outageBudgetSeconds)
        self.searchThreads = max(1, searchThreads)
    }
}
