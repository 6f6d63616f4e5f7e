/// What the TradeMaster service trains: `dataset_name` and `agent_name` in the service's
/// `task:name` form (a bare name is prefixed with the task when validated).
public struct TradeMasterConfig: Codable, Sendable, Equatable {
    /// The task (`algorithmic_trading`, …).
    public var taskName: String
    /// `task:dataset`, e.g. `algorithmic_trading:BTC`.
    public var datasetName: String
    /// `task:agent`, e.g. `algorithmic_trading:deepscalper`.
    public var agentName: String
    /// The optimizer (`adam`).
    public var optimizerName: String
    /// The loss (`mse`).
    public var lossName: String

    /// A config from its parts.
    public init(taskName: String, datasetName: String, agentName: String, optimizerName: String, lossName: String) {
        self.taskName = taskName
        self.datasetName = datasetName
        self.agentName = agentName
        self.optimizerName = optimizerName
        self.lossName = lossName
    }
}
