import Foundation

/// What the service offers, as `getParameters` lists it, with the parameters a front end
/// needs to build a training form: tasks, each with its datasets (and their date ranges)
/// and agents, plus the optimizers and losses.
public struct TradeMasterListing: Sendable, Equatable {
    /// One dataset of a task.
    public struct Dataset: Sendable, Equatable {
        /// The name alone (`BTC`).
        public var name: String
        /// The name `train` takes (`algorithmic_trading:BTC`).
        public var qualifiedName: String
        /// The first date of its data (`YYYY-MM-DD`), when the service says.
        public var startDate: String?
        /// The last date of its data, when the service says.
        public var endDate: String?
    }

    /// One task with what it can train on and with.
    public struct Task: Sendable, Equatable {
        /// The task's name (`algorithmic_trading`).
        public var name: String
        /// Its datasets, by name.
        public var datasets: [Dataset]
        /// Its agents' names alone (`deepscalper`); `train` takes `task:agent`.
        public var agents: [String]
    }

    /// Tasks by name.
    public var tasks: [Task]
    /// Optimizer names.
    public var optimizers: [String]
    /// Loss names.
    public var losses: [String]

    /// The listing of a `getParameters` answer; nil when it lacks the three lists.
    public init?(parameters object: [String: Any]) {
        func strings(_ key: String) -> [String]? {
            guard let values = object[key] as? [Any] else { return nil }
            return values.compactMap { $0 as? String }
        }
        guard let taskNames = strings("task_name"), let datasetNames = strings("dataset_name"), let agentNames = strings("agent_name"),
            !taskNames.isEmpty
        else { return nil }
        let starts = object["start_date"] as? [String: Any] ?? [:]
        let ends = object["end_date"] as? [String: Any] ?? [:]
        func split(_ qualified: String) -> (task: String, name: String)? {
            guard let colon = qualified.firstIndex(of: ":") else { return nil }
            return (String(qualified[..<colon]), String(qualified[qualified.index(after: colon)...]))
        }
        var order: [String] = []
        for name in taskNames where !order.contains(name) { order.append(name) }
        for qualified in datasetNames + agentNames {
            if let task = split(qualified)?.task, !order.contains(task) { order.append(task) }
        }
        tasks = order.map { task in
            Task(
                name: task,
                datasets: datasetNames.compactMap { qualified in
                    guard let parts = split(qualified), parts.task == task else { return nil }
                    return Dataset(
                        name: parts.name, qualifiedName: qualified, startDate: starts[qualified] as? String, endDate: ends[qualified] as? String)
                },
                agents: agentNames.compactMap { qualified in split(qualified).flatMap { $0.task == task ? $0.name : nil } })
        }
        optimizers = strings("optimizer_name").flatMap { $0.isEmpty ? nil : $0 } ?? ["adam"]
        losses = strings("loss_name").flatMap { $0.isEmpty ? nil : $0 } ?? ["mse"]
    }
}

extension TradeMasterClient {
    /// `GET getParameters` as a ``TradeMasterListing`` (through the retries and the breaker of
    /// this client); a malformed answer is ``TradeMasterError/malformed(_:)``.
    public func listing() throws(TradeMasterError) -> TradeMasterListing {
        let object = try parameters()
        guard let listing = TradeMasterListing(parameters: object) else {
            throw .malformed(route: "getParameters", detail: "no task_name, dataset_name and agent_name lists")
        }
        return listing
    }
}
