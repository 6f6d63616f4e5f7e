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

    /// The catalogue of a listing (the one parse of `getParameters`); nil when it names no
    /// dataset or no agent.
    public init?(listing: TradeMasterListing) {
        let datasets = listing.tasks.flatMap { $0.datasets.map(\.qualifiedName) }
        let agents = listing.tasks.flatMap { task in task.agents.map { task.name + ":" + $0 } }
        guard !datasets.isEmpty, !agents.isEmpty else { return nil }
        self.init(
            tasks: Set(listing.tasks.map(\.name)), datasets: Set(datasets), agents: Set(agents), optimizers: Set(listing.optimizers),
            losses: Set(listing.losses))
    }

    /// The working combinations the contract documents.
    public static let documented = TradeMasterCatalogue(
        tasks: ["algorithmic_trading", "portfolio_management", "order_execution", "high_frequency_trading"],
        datasets: [
            "algorithmic_trading:BTC", "algorithmic_trading:FX", "order_execution:BTC", "order_execution:PD_BTC",
            "portfolio_management:dj30", "portfolio_management:exchange", "high_frequency_trading:BTC",
        ],
        agents: [
            "algorithmic_trading:deepscalper", "order_execution:eteo", "order_execution:pd",
            "portfolio_management:eiie", "portfolio_management:deeptrader", "portfolio_management:investor_imitator",
            "portfolio_management:sarl", "portfolio_management:a2c", "portfolio_management:ddpg", "portfolio_management:pg",
            "portfolio_management:ppo", "portfolio_management:sac", "portfolio_management:td3", "high_frequency_trading:dqn",
        ],
        optimizers: ["adam"], losses: ["mse"])
}
