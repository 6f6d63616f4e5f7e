import ArgumentParser
import Foundation
import Quant

/// `tm backtest`: runs a registered strategy over a CSV of bars.
struct BacktestCommand: ParsableCommand {
    /// Name, help and discussion (with the strategy catalogue).
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a strategy on OHLCV bars from a CSV file.",
        discussion: """
            Rules: a signal on bar t's close fills at bar t+1's open; a signal on the last bar is not \
            executed; whole shares only, using all available cash: shares = floor(cash / (price·(1 + \
            commission))); commission is a fraction of traded value per side; slippage (basis points) \
            moves every fill against the trader; long-only unless --allow-short (for strategies that \
            support it); a position still open at the end is marked to market and reported as open. \
            In --json output, undefined figures are null. Exit status 1 on bad input.

            Strategies (--strategy NAME --param key=value):
            \(BacktestCommand.catalogue)
            """)

    /// The strategy list for the help text, from the registry.
    static var catalogue: String {
        StrategyRegistry.descriptors.map { d in
            let params = d.parameters.map { p in
                let show = { (x: Double) in p.kind == .integer ? String(Int(x)) : String(x) }
                return "\(p.name)=\(show(p.defaultValue)) (\(p.kind.rawValue) in "
                    + "\(show(p.range.lowerBound))...\(show(p.range.upperBound)))"
            }
            return "  \(d.name): \(d.summary)" + (params.isEmpty ? "" : "\n      " + params.joined(separator: ", "))
        }.joined(separator: "\n")
    }

    @Option(name: .long, help: "The CSV file of bars (date, open, high, low, close[, volume]).")
    var csv: String

    @Option(name: .long, help: "The strategy name.")
    var strategy: String = "sma_crossover"

    @Option(name: .customLong("param"), help: "A strategy parameter as key=value (repeatable).")
    var params: [String] = []

    @Option(name: .long, help: "Commission per side as a fraction of traded value (0.001 = 0.1%).")
    var commission: Double = 0

    @Option(name: .customLong("slippage-bps"), help: "Slippage per fill in basis points, against the trader.")
    var slippageBps: Double = 0

    @Option(name: .long, help: "Starting cash.")
    var cash: Double = 100_000

    @Flag(name: .long, help: "Let exit signals open short positions.")
    var allowShort = false

    @OptionGroup var input: SeriesOptions

    /// Loads the file, validates the strategy and prints the result; exit status 1 on bad input.
    func run() throws {
        do {
            var text: [String: String] = [:]
            for p in params {
                let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw CLIError("--param expects key=value, got \"\(p)\".")
                }
                text[parts[0]] = parts[1]
            }
            let chosen = try StrategyRegistry.strategy(named: strategy, textParameters: text)
            let (series, bench) = try input.load(csv)
            let config = BacktestConfiguration(
                cash: cash, commission: commission, slippageBasisPoints: slippageBps,
                allowShort: allowShort, periodsPerYear: input.periodsPerYear)
            let result = try Backtester.run(
                series, strategy: chosen, configuration: config, benchmark: bench.map { ($0.timestamps, $0.close) })
            if input.json {
                print(result.json().rendered())
            } else {
                printSummary(result)
            }
        } catch {
            throw CLISupport.fail(error)
        }
    }

    private func printSummary(_ r: BacktestResult) {
        let f = CLISupport.format
        let params = r.strategy.descriptor.parameters.map { p in
            let v = r.strategy.parameters[p.name] ?? 0
            return "\(p.name)=" + (p.kind == .integer ? String(Int(v)) : String(v))
        }
        print("\(r.strategy.name)(\(params.joined(separator: ", "))) on \(r.equity.equity.count) bars")
        let s = r.summary
        print(
            "Final equity \(String(format: "%.2f", s.finalEquity)) from \(String(format: "%.2f", s.startingEquity)); "
                + "\(s.closedTrades) closed trades\(s.hasOpenTrade ? " + 1 open" : ""), win rate \(f(s.winRate, true)), "
                + "profit factor \(f(s.profitFactor, false)), average trade \(f(s.averageTradeReturn, true)), "
                + "exposure \(f(s.exposure, true)), commission \(String(format: "%.2f", s.totalCommission))")
        CLISupport.printMetrics(r.metrics, timestamps: r.equity.timestamps)
        let shown = r.trades.suffix(10)
        if !shown.isEmpty {
            print("Last \(shown.count) trades:")
            for t in shown {
                let exit = t.exitTime.map(TimestampFormatter.iso8601) ?? "open"
                print(
                    "  \(TimestampFormatter.iso8601(t.entryTime)) -> \(exit)  \(t.shares) @ "
                        + "\(String(format: "%.4f", t.entryPrice)) -> \(String(format: "%.4f", t.exitPrice))  "
                        + "P&L \(String(format: "%.2f", t.profit)) (\(f(t.returnFraction, true)))")
            }
        }
    }
}
