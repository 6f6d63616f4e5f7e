/// The trading rules a run of the strategy starts from (execute may override them).
public struct TradingDefaults: Codable, Sendable, Equatable {
    /// Starting cash.
    public var initialCapital: Double
    /// Commission per side, a fraction of traded value (0.001 = 0.1 %).
    public var commission: Double
    /// Slippage per fill in basis points, against the trader.
    public var slippageBps: Double
    /// Whether exit signals may open short positions.
    public var allowShort: Bool

    /// The defaults: 100,000 cash, no commission or slippage, long only.
    public init(initialCapital: Double = 100_000, commission: Double = 0, slippageBps: Double = 0, allowShort: Bool = false) {
        self.initialCapital = initialCapital
        self.commission = commission
        self.slippageBps = slippageBps
        self.allowShort = allowShort
    }

    private enum CodingKeys: String, CodingKey {
        case initialCapital, commission, slippageBps, allowShort
    }

    /// Decodes the stored object; a field it lacks (the column's default is `{}`) takes its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TradingDefaults()
        initialCapital = try container.decodeIfPresent(Double.self, forKey: .initialCapital) ?? defaults.initialCapital
        commission = try container.decodeIfPresent(Double.self, forKey: .commission) ?? defaults.commission
        slippageBps = try container.decodeIfPresent(Double.self, forKey: .slippageBps) ?? defaults.slippageBps
        allowShort = try container.decodeIfPresent(Bool.self, forKey: .allowShort) ?? defaults.allowShort
    }

    /// Issues for values out of range, under `pointer` (`/trading`).
    public func issues(at pointer: String) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if !(initialCapital.isFinite && initialCapital > 0 && initialCapital <= 1e15) {
            issues.append(
                ValidationIssue(
                    field: pointer + "/initial_capital", code: "trading.initial_capital",
                    message: "must be a positive number up to 1e15"))
        }
        if !(commission.isFinite && commission >= 0 && commission < 1) {
            issues.append(
                ValidationIssue(
                    field: pointer + "/commission", code: "trading.commission",
                    message: "must be a fraction in [0, 1)"))
        }
        if !(slippageBps.isFinite && slippageBps >= 0 && slippageBps < 10_000) {
            issues.append(
                ValidationIssue(
                    field: pointer + "/slippage_bps", code: "trading.slippage_bps",
                    message: "must be in [0, 10000) basis points"))
        }
        return issues
    }
}
