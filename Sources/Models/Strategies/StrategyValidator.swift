import Quant
import Support
import TradeMasterAPI

/// Validates what a client sends for a strategy into a ``StrategyDraft``: builtin `kind` and
/// `parameters` against the `Quant` registry's declared specs, trademaster `config` against
/// a ``TradeMasterCatalogue``, trading defaults, tags, category and status. Every broken rule
/// becomes a ``ValidationIssue`` whose field is a JSON pointer into the body
/// (`/parameters/fast`).
public enum StrategyValidator {
    /// The rules of a strategy name (also a clone's).
    public static let nameRules = TextField(field: "/name", label: "name", code: "name", lengths: 1...200)
    static let descriptionRules = TextField(field: "/description", label: "description", code: "description", lengths: 0...2000)
    static let categoryRules = TextField(field: "/category", label: "category", code: "category", lengths: 0...100)
    static let tagRules = TextField(field: "/tags", label: "each tag", code: "tags", lengths: 1...50)

    /// What the client gave (after merging a partial change over the current strategy).
    public typealias Input = StrategyFields<[String: JSONDocument]>

    /// The draft, or the issues that prevent it (both never empty together).
    public static func validate(_ input: Input, catalogue: TradeMasterCatalogue = .documented) -> (StrategyDraft?, [ValidationIssue]) {
        var issues: [ValidationIssue] = []
        let name = nameRules.normalize(input.name, issues: &issues)
        let description = descriptionRules.normalize(input.description, issues: &issues)
        let category = input.category.map { categoryRules.normalize($0, issues: &issues) }.flatMap { $0.isEmpty ? nil : $0 }
        var tags: [String] = []
        for raw in input.tags {
            let tag = tagRules.normalize(raw, issues: &issues)
            if !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        if tags.count > 20 { issues.append(ValidationIssue(field: "/tags", code: "tags.count", message: "at most 20 tags")) }
        if let status = input.status, !StrategyStatus.settable.contains(status) {
            issues.append(
                ValidationIssue(
                    field: "/status", code: "status.settable",
                    message: "may be set to \(StrategyStatus.settable.map(\.rawValue).joined(separator: ", ")); active and error follow the runs"))
        }
        issues += input.trading.issues(at: "/trading")
        var parameters: [String: Double] = [:]
        var config: TradeMasterConfig?
        var kind: String?
        switch input.engine {
        case .builtin:
            if input.config != nil {
                issues.append(ValidationIssue(field: "/config", code: "config.engine", message: "is only for engine trademaster"))
            }
            if let given = input.kind {
                kind = given
                parameters = validateParameters(kind: given, input.parameters, issues: &issues)
                // A portfolio kind trades several symbols: only a portfolio strategy may have one.
                if PortfolioRegistry.contains(given) && input.strategyType != .portfolioManagement {
                    issues.append(
                        ValidationIssue(
                            field: "/strategy_type", code: "strategy_type.kind",
                            message: "must be portfolio_management for the portfolio kind \(given)"))
                }
            } else {
                issues.append(
                    ValidationIssue(
                        field: "/kind", code: "kind.required", message: "is required for engine builtin (one of \(kindNames.joined(separator: ", ")))"
                    ))
            }
        case .trademaster:
            if input.kind != nil {
                issues.append(ValidationIssue(field: "/kind", code: "kind.engine", message: "is only for engine builtin"))
            }
            if !input.parameters.isEmpty {
                issues.append(
                    ValidationIssue(
                        field: "/parameters", code: "parameters.engine", message: "is only for engine builtin; a trademaster strategy has a config"))
            }
            if let given = input.config {
                config = catalogue.validate(given, strategyType: input.strategyType, issues: &issues)
            } else {
                issues.append(ValidationIssue(field: "/config", code: "config.required", message: "is required for engine trademaster"))
            }
        }
        guard issues.isEmpty else { return (nil, issues) }
        return (
            StrategyDraft(
                name: name, description: description, strategyType: input.strategyType, engine: input.engine, kind: kind,
                parameters: parameters, config: config, trading: input.trading, tags: tags, category: category,
                status: input.status), []
        )
    }

    /// Every builtin kind: the single-symbol registry's, then the portfolio registry's.
    public static var kindNames: [String] { StrategyRegistry.names + PortfolioRegistry.names }

    /// The kind's parameters with defaults filled in (a portfolio choice such as `rebalance`
    /// as its index in the spec's `choices`); issues under `/kind` or `/parameters/<name>`.
    /// Kinds come from `StrategyRegistry` or, for `portfolio_management`, `PortfolioRegistry`.
    public static func validateParameters(kind: String, _ given: [String: JSONDocument], issues: inout [ValidationIssue]) -> [String: Double] {
        let portfolio = PortfolioRegistry.contains(kind)
        let descriptor: StrategyDescriptor
        do {
            descriptor = portfolio ? try PortfolioRegistry.descriptor(named: kind) : try StrategyRegistry.descriptor(named: kind)
        } catch {
            issues.append(
                ValidationIssue(
                    field: "/kind", code: "kind.unknown",
                    message: "unknown kind \"\(kind.prefix(100))\" (known: \(kindNames.joined(separator: ", ")))"))
            return [:]
        }
        var numbers: [String: Double] = [:]
        var bad = false
        for (key, value) in given.sorted(by: { $0.key < $1.key }) {
            let pointer = "/parameters/" + key.replacing("~", with: "~0").replacing("/", with: "~1")
            guard let spec = descriptor.parameter(named: key) else {
                let known = descriptor.parameters.map(\.name)
                issues.append(
                    ValidationIssue(
                        field: pointer, code: "parameters.unknown",
                        message:
                            "\(kind) has no parameter \"\(key.prefix(100))\" (parameters: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
                )
                bad = true
                continue
            }
            let parameter: ParameterValue
            switch value {
            case .integer(let n): parameter = .number(Double(n))
            case .number(let x): parameter = .number(x)
            case .string(let text) where spec.kind == .choice: parameter = .text(text)
            default:
                issues.append(
                    ValidationIssue(
                        field: pointer, code: "parameters.type",
                        message: (spec.kind == .choice ? "must be a string: " : "must be a number: ") + spec.requirement))
                bad = true
                continue
            }
            do {
                numbers[key] = try spec.validate(parameter)
            } catch {
                issues.append(ValidationIssue(field: pointer, code: "parameters.range", message: spec.requirement))
                bad = true
            }
        }
        guard !bad else { return [:] }
        do {
            return portfolio
                ? try PortfolioRegistry.strategy(named: kind, parameters: numbers).parameters
                : try StrategyRegistry.strategy(named: kind, parameters: numbers).parameters
        } catch {
            if case .invalidParameter(let name, let message) = error {
                issues.append(ValidationIssue(field: "/parameters/\(name)", code: "parameters.relation", message: message))
            } else {
                issues.append(ValidationIssue(field: "/parameters", code: "parameters.invalid", message: error.description))
            }
            return [:]
        }
    }

    /// Stored parameters as a client would send them: a choice's index becomes its name.
    static func clientParameters(kind: String?, _ stored: [String: Double]) -> [String: JSONDocument] {
        let specs = kind.flatMap { try? PortfolioRegistry.descriptor(named: $0) }?.parameters ?? []
        return Dictionary(
            uniqueKeysWithValues: stored.map { key, value in
                if let spec = specs.first(where: { $0.name == key }), let name = spec.choiceName(value) { return (key, .string(name)) }
                return (key, .number(value))
            })
    }
}
