import Support

extension BacktestResult {
    /// The result as a JSON object: strategy, configuration, summary, metrics, trades and
    /// (when `includeEquity`) the equity curve. Non-finite numbers are `null`.
    public func json(includeEquity: Bool = true) -> JSONDocument {
        let iso = TimestampFormatter.iso8601
        let tradeList: [JSONDocument] = trades.map { t in
            .object([
                ("entry_time", .string(iso(t.entryTime))), ("exit_time", t.exitTime.map { .string(iso($0)) } ?? .null),
                ("entry_bar", .integer(Int64(t.entryBar))), ("exit_bar", t.exitBar.map { .integer(Int64($0)) } ?? .null),
                ("entry_price", .finite(t.entryPrice)), ("exit_price", .finite(t.exitPrice)),
                ("shares", .integer(Int64(t.shares))), ("pnl", .finite(t.profit)),
                ("return", .finite(t.returnFraction)), ("bars_held", .integer(Int64(t.barsHeld))),
                ("commission", .finite(t.commission)), ("open", .bool(t.isOpen)),
            ])
        }
        let s = summary
        var members: [(String, JSONDocument)] = [
            ("strategy", .string(strategy.name)),
            ("parameters", .object(strategy.descriptor.parameters.map { ($0.name, .finite(strategy.parameters[$0.name])) })),
            (
                "configuration",
                .object([
                    ("cash", .finite(configuration.cash)), ("commission", .finite(configuration.commission)),
                    ("slippage_bps", .finite(configuration.slippageBasisPoints)),
                    ("allow_short", .bool(configuration.allowShort)),
                    ("periods_per_year", .finite(configuration.periodsPerYear)),
                ])
            ),
            (
                "summary",
                .object([
                    ("trades", .integer(Int64(s.closedTrades))), ("open_trade", .bool(s.hasOpenTrade)),
                    ("win_rate", .finite(s.winRate)), ("profit_factor", .finite(s.profitFactor)),
                    ("average_trade_return", .finite(s.averageTradeReturn)), ("exposure", .finite(s.exposure)),
                    ("total_commission", .finite(s.totalCommission)), ("starting_equity", .finite(s.startingEquity)),
                    ("final_equity", .finite(s.finalEquity)),
                ])
            ),
            ("metrics", metrics.json(timestamps: equity.timestamps)),
            ("trades", .array(tradeList)),
        ]
        if includeEquity {
            members.append(
                (
                    "equity_curve",
                    .object([
                        ("time", .array(equity.timestamps.map { .string(iso($0)) })),
                        ("cash", .numbers(equity.cash)),
                        ("shares", .array(equity.shares.map { .integer(Int64($0)) })),
                        ("equity", .numbers(equity.equity)),
                    ])
                ))
        }
        return .object(members)
    }
}
