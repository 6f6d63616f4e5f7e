import Support

extension PerformanceMetrics {
    /// The metrics as a JSON object (snake_case keys; non-finite values as `null`).
    /// `timestamps` (the curve's) turn drawdown row indices into dates.
    public func json(timestamps: [Int64] = []) -> JSONDocument {
        func date(_ i: Int?) -> JSONDocument {
            guard let i, timestamps.indices.contains(i) else { return .null }
            return .string(TimestampFormatter.iso8601(timestamps[i]))
        }
        var members: [(String, JSONDocument)] = [
            ("periods_per_year", .finite(periodsPerYear)), ("return_count", .integer(Int64(returnCount))),
            ("cumulative_return", .finite(cumulativeReturn)), ("annual_return", .finite(annualReturn)),
            ("annual_volatility", .finite(annualVolatility)), ("sharpe", .finite(sharpe)),
            ("sortino", .finite(sortino)), ("calmar", .finite(calmar)), ("omega", .finite(omega)),
            ("tail_ratio", .finite(tailRatio)), ("stability", .finite(stability)),
            ("downside_risk", .finite(downsideRisk)), ("max_drawdown", .finite(maxDrawdown)),
            ("value_at_risk_95", .finite(valueAtRisk95)),
            ("conditional_value_at_risk_95", .finite(conditionalValueAtRisk95)),
        ]
        if let d = drawdown {
            members.append(
                (
                    "drawdown",
                    .object([
                        ("peak", date(d.peak)), ("trough", date(d.trough)), ("recovery", date(d.recovery)),
                        ("duration_bars", .integer(Int64(d.duration))),
                    ])
                ))
        } else {
            members.append(("drawdown", .null))
        }
        if alignedCount != nil {
            members += [
                ("benchmark_aligned_returns", .integer(Int64(alignedCount ?? 0))),
                ("alpha", .finite(alpha)), ("beta", .finite(beta)), ("information_ratio", .finite(informationRatio)),
            ]
        }
        if let t = tradeMaster {
            members.append(
                (
                    "trademaster",
                    .object([
                        ("total_return", .finite(t.totalReturn)), ("sharpe", .finite(t.sharpe)),
                        ("volatility", .finite(t.volatility)), ("max_drawdown", .finite(t.maxDrawdown)),
                        ("calmar", .finite(t.calmar)), ("sortino", .finite(t.sortino)),
                    ])
                ))
        }
        return .object(members)
    }
}
