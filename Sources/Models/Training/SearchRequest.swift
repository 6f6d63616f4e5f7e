import Quant
import Support

/// The `config` of a parameter search, read from JSON into a ``ParameterSearch``:
/// `{method: grid|random, space: {param: {min, max, step} | [values]}, max_trials,
/// objective: sharpe|sortino|calmar|total_return, split: {train, valid, test}, seed?, symbol?}`.
/// Every problem is a ``ValidationIssue`` at its pointer under `/config`.
public struct SearchRequest: Sendable {
    /// The search.
    public var search: ParameterSearch
    /// The symbol of the dataset to use (nil: its only one).
    public var symbol: String?

    /// The default trial cap.
    public static let defaultMaxTrials = 100

    /// Parses `config` for `strategy` (builtin), or throws the issues.
    public static func parse(_ config: JSONDocument, strategy: TrainingStrategy) throws(SearchRequestError) -> SearchRequest {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ code: String, _ message: String) {
            issues.append(ValidationIssue(field: "/config" + field, code: code, message: message))
        }
        guard case .object(let members) = config else {
            throw SearchRequestError(issues: [ValidationIssue(field: "/config", code: "config.type", message: "config must be an object.")])
        }
        let known: Set<String> = ["method", "space", "max_trials", "objective", "split", "seed", "symbol"]
        for key in members.keys.sorted() where !known.contains(key) {
            issue("/\(key)", "config.unknown", "Unknown field \(key) (known: \(known.sorted().joined(separator: ", "))).")
        }
        var method = ParameterSearch.Method.grid
        if let value = members["method"] {
            if let text = value.stringValue, let parsed = ParameterSearch.Method(rawValue: text) {
                method = parsed
            } else {
                issue("/method", "config.method", "method must be grid or random.")
            }
        }
        var objective = SearchObjective.sharpe
        if let value = members["objective"] {
            if let text = value.stringValue, let parsed = SearchObjective(rawValue: text) {
                objective = parsed
            } else {
                issue("/objective", "config.objective", "objective must be one of sharpe, sortino, calmar, total_return.")
            }
        }
        var maxTrials = defaultMaxTrials
        if let value = members["max_trials"] {
            if let number = value.intValue, (1...ParameterSearch.trialLimit).contains(number) {
                maxTrials = number
            } else {
                issue("/max_trials", "config.max_trials", "max_trials must be an integer in 1...\(ParameterSearch.trialLimit).")
            }
        }
        var seed: UInt64 = 0
        if let value = members["seed"] {
            if let number = value.intValue, number >= 0 {
                seed = UInt64(number)
            } else {
                issue("/seed", "config.seed", "seed must be a non-negative integer.")
            }
        }
        var symbol: String?
        if let value = members["symbol"] {
            if let text = value.stringValue, (1...64).contains(text.count) {
                symbol = text
            } else {
                issue("/symbol", "config.symbol", "symbol must be a string of 1 to 64 characters.")
            }
        }
        var train = 0.6
        var valid = 0.2
        if let value = members["split"] {
            if case .object(let split) = value, let t = split["train"]?.doubleValue, let v = split["valid"]?.doubleValue,
                t.isFinite, v.isFinite
            {
                let test = split["test"]?.doubleValue ?? (1 - t - v)
                if t > 0, v > 0, test > 0, abs(t + v + test - 1) < 1e-9, split.keys.allSatisfy({ ["train", "valid", "test"].contains($0) }) {
                    (train, valid) = (t, v)
                } else {
                    issue("/split", "config.split", "split needs train, valid and test fractions > 0 that add up to 1.")
                }
            } else {
                issue("/split", "config.split", "split must be an object {train, valid, test} of fractions.")
            }
        }
        var dimensions: [String: ParameterSpace.Dimension] = [:]
        switch members["space"] {
        case .object(let space)? where !space.isEmpty:
            for (name, value) in space.sorted(by: { $0.key < $1.key }) {
                switch value {
                case .array(let list) where !list.isEmpty && list.count <= 10_000:
                    let numbers = list.compactMap(\.doubleValue)
                    if numbers.count == list.count && numbers.allSatisfy(\.isFinite) {
                        dimensions[name] = .values(numbers)
                    } else {
                        issue("/space/\(name)", "config.space", "\(name): a list must hold numbers only.")
                    }
                case .object(let range):
                    if let lower = range["min"]?.doubleValue, let upper = range["max"]?.doubleValue,
                        range.keys.allSatisfy({ ["min", "max", "step"].contains($0) })
                    {
                        let step = range["step"]?.doubleValue ?? 1
                        dimensions[name] = .range(min: lower, max: upper, step: step)
                    } else {
                        issue("/space/\(name)", "config.space", "\(name) must be {min, max, step} or a list of values.")
                    }
                default:
                    issue("/space/\(name)", "config.space", "\(name) must be {min, max, step} or a non-empty list of at most 10000 values.")
                }
            }
        default:
            issue("/space", "config.space", "space must be an object naming at least one parameter.")
        }
        guard issues.isEmpty else { throw SearchRequestError(issues: issues) }
        guard let kind = strategy.kind else {
            throw SearchRequestError(issues: [
                ValidationIssue(
                    field: "/strategy_id", code: "strategy.engine",
                    message: "The strategy is not a builtin one.")
            ])
        }
        let trading = Self.backtestConfiguration(strategy.trading)
        let search: ParameterSearch
        do {
            search = try ParameterSearch(
                strategy: kind, fixed: strategy.parameters, space: ParameterSpace(dimensions), method: method,
                maxTrials: maxTrials, objective: objective, seed: seed, trainFraction: train, validationFraction: valid,
                backtest: trading)
        } catch {
            let field: String
            switch error {
            case .unknownParameter(let name, _, _): field = "/space/\(name)"
            case .invalidParameter(let name, _) where name == "max_trials" || name == "split": field = "/\(name)"
            case .invalidParameter(let name, _) where dimensions[name] != nil: field = "/space/\(name)"
            case .invalidParameter: field = "/space"
            case .unknownStrategy: field = "/space"
            }
            throw SearchRequestError(issues: [ValidationIssue(field: "/config" + field, code: "config.space", message: error.description)])
        }
        if let reason = search.noValidCandidate {
            throw SearchRequestError(issues: [
                ValidationIssue(
                    field: "/config/space", code: "config.space",
                    message: "no candidate of the space makes a valid \(kind) (the first: \(reason)); change the space or the fixed parameters")
            ])
        }
        return SearchRequest(search: search, symbol: symbol)
    }

    /// The backtest rules from a strategy's `trading` defaults.
    static func backtestConfiguration(_ trading: JSONDocument) -> BacktestConfiguration {
        var config = BacktestConfiguration()
        if let cash = trading["initial_capital"]?.doubleValue, cash > 0 { config.cash = cash }
        if let commission = trading["commission"]?.doubleValue, (0..<1).contains(commission) { config.commission = commission }
        if let slippage = trading["slippage_bps"]?.doubleValue, (0..<10_000).contains(slippage) { config.slippageBasisPoints = slippage }
        if let short = trading["allow_short"]?.boolValue { config.allowShort = short }
        return config
    }
}

/// The validation issues of a request's configuration.
public struct SearchRequestError: Error, Sendable {
    /// What is wrong, at which pointer.
    public var issues: [ValidationIssue]
}
