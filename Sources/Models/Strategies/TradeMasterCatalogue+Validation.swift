import TradeMasterAPI

extension TradeMasterCatalogue {
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
