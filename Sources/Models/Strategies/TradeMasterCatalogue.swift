/// The tasks, datasets and agents the TradeMaster service can train (its `getParameters`
/// lists), as `task:name` strings. ``documented`` is the catalogue of
/// `shared/TRADEMASTER-API.md`, used when the service does not answer.
public struct TradeMasterCatalogue: Sendable, Equatable {
    /// Task names.
    public var tasks: Set<String>
    /// `task:dataset` names.
    public var datasets: Set<String>
    /// `task:agent` names.
    public var agents: Set<String>
    /// Optimizer names.
    public var optimizers: Set<String>
    /// Loss names.
    public var losses: Set<String>

    /// A catalogue from its lists.
    public init(tasks: Set<String>, datasets: Set<String>, agents: Set<String>, optimizers: Set<String>, losses: Set<String>) {
        self.tasks = tasks
        self.datasets = datasets
        self.agents = agents
        self.optimizers = optimizers
        self.losses = losses
    }

    /// The working combinations the contract documents.
    public static let documented = TradeMasterCatalogue(
        tasks: ["algorithmic_trading", "portfolio_management", "order_execution", "high_frequency_trading"],
        datasets: ["algorithmic_trading:BTC", "algorithmic_trading:FX", "order_execution:BTC", "order_execution:PD_BTC",
                   "portfolio_management:dj30", "portfolio_management:exchange", "high_frequency_trading:BTC"],
        agents: ["algorithmic_trading:deepscalper", "order_execution:eteo", "order_execution:pd",
                 "portfolio_management:eiie", "portfolio_management:deeptrader", "portfolio_management:investor_imitator",
                 "portfolio_management:sarl", "portfolio_management:a2c", "portfolio_management:ddpg", "portfolio_management:pg",
                 "portfolio_management:ppo", "portfolio_management:sac", "portfolio_management:td3", "high_frequency_trading:dqn"],
        optimizers: ["adam"], losses: ["mse"])

    /// Issues for `config` under `/config`; the normalised config (`task:name` forms).
    public func validate(_ config: TradeMasterConfig, strategyType: StrategyType, issues: inout [ValidationIssue]) -> TradeMasterConfig {
        var out = config
        func issue(_ field: String, _ message: String) {
            issues.append(ValidationIssue(field: "/config/\(field)", code: "config.\(field)", message: message))
        }
        func listed(_ set: Set<String>) -> String { set.sorted().joined(separator: ", ") }
        if !tasks.contains(config.taskName) {
            issue("task_name", "unknown task (known: \(listed(tasks)))")
        } else if config.taskName != strategyType.rawValue {
            issue("task_name", "must match strategy_type (\(strategyType.rawValue))")
        }
        func qualified(_ name: String) -> String? {
            if let colon = name.firstIndex(of: ":") {
                return name[..<colon] == config.taskName ? name : nil
            }
            return config.taskName + ":" + name
        }
        let ownDatasets = datasets.filter { $0.hasPrefix(config.taskName + ":") }
        if let name = qualified(config.datasetName), datasets.contains(name) {
            out.datasetName = name
        } else {
            issue("dataset_name", "not a dataset of task \(config.taskName) (known: \(listed(ownDatasets)))")
        }
        let ownAgents = agents.filter { $0.hasPrefix(config.taskName + ":") }
        if let name = qualified(config.agentName), agents.contains(name) {
            out.agentName = name
        } else {
            issue("agent_name", "not an agent of task \(config.taskName) (known: \(listed(ownAgents)))")
        }
        if !optimizers.contains(config.optimizerName) { issue("optimizer_name", "unknown optimizer (known: \(listed(optimizers)))") }
        if !losses.contains(config.lossName) { issue("loss_name", "unknown loss (known: \(listed(losses)))") }
        return out
    }
}
