import ArgumentParser
import Foundation
import Quant

/// `tm metrics`: performance and risk metrics of a price or equity CSV.
struct MetricsCommand: ParsableCommand {
    /// Name, help and discussion.
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Performance and risk metrics of a price or equity curve read from a CSV file.",
        discussion: """
            The CSV needs a date column (date/datetime/timestamp/time: ISO dates, date-times or epoch \
            seconds) and a close column; open/high/low/volume/adjcp and a symbol column (tic/symbol/ticker) \
            are optional. Metrics follow empyrical's conventions: simple returns of the close, 252 periods \
            a year unless --periods-per-year says otherwise, risk-free rate 0, ddof = 1. VaR and CVaR are \
            returns (negative for losses). TradeMaster's own figures (its evaluate()) are printed too. \
            With --benchmark, alpha, beta and information ratio use returns aligned by timestamp. \
            In --json output, undefined figures (NaN, infinity) are null. Exit status 1 on bad input.
            """)

    @Option(name: .long, help: "The CSV file of prices or equity.")
    var csv: String

    @OptionGroup var input: SeriesOptions

    /// Loads the file(s) and prints the metrics; exit status 1 on bad input.
    func run() throws {
        do {
            let (series, bench) = try input.load(csv)
            let metrics = try PerformanceMetrics(
                timestamps: series.timestamps, values: series.close,
                benchmark: bench.map { ($0.timestamps, $0.close) }, periodsPerYear: input.periodsPerYear)
            if input.json {
                print(metrics.json(timestamps: series.timestamps).rendered())
            } else {
                print(
                    "\(series.count) bars, \(TimestampFormatter.iso8601(series.timestamps.first ?? 0)) to "
                        + "\(TimestampFormatter.iso8601(series.timestamps.last ?? 0))")
                CLISupport.printMetrics(metrics, timestamps: series.timestamps)
            }
        } catch {
            throw CLISupport.fail(error)
        }
    }
}

/// The options `tm backtest` and `tm metrics` share: which series of the file, what to
/// compare it with, how to annualise and how to print.
struct SeriesOptions: ParsableArguments {
    @Option(name: .long, help: "The symbol to use from a long-format file (required when it holds several).")
    var symbol: String?

    @Option(name: .long, help: "A benchmark CSV (date and close) for alpha, beta and information ratio.")
    var benchmark: String?

    @Option(name: .long, help: "Periods per year for annualisation (252 for daily bars).")
    var periodsPerYear: Double = 252

    @Flag(name: .long, help: "Print JSON (a backtest's with its equity curve) instead of a readable summary.")
    var json = false

    /// The series of `csv` (``symbol``'s) and the benchmark's, if any.
    func load(_ csv: String) throws -> (series: OHLCVSeries, benchmark: OHLCVSeries?) {
        (try CLISupport.load(csv, symbol: symbol), try benchmark.map { try CLISupport.load($0, symbol: nil) })
    }
}

/// File loading, error reporting and summary printing shared by the analytics commands.
enum CLISupport {
    /// Files up to this size are read whole and parsed on two threads; larger ones (and pipes)
    /// are streamed in 64 KiB chunks, so memory stays flat.
    static let wholeFileLimit = 256 << 20

    /// Reads a CSV file: a regular file of at most ``wholeFileLimit`` bytes at once, parsed on
    /// two threads where the machine has two cores (the same series and errors as one); any
    /// other through the streaming reader, 64 KiB at a time.
    static func load(_ path: String, symbol: String?) throws -> OHLCVSeries {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError("Cannot open \(path).")
        }
        defer { try? handle.close() }
        let series: OHLCVSeries
        if let bytes = try readWhole(handle) {
            series = try OHLCVCSVReader.parse(bytes, threads: min(2, ProcessInfo.processInfo.activeProcessorCount))
        } else {
            var reader = OHLCVCSVReader()
            while true {
                let chunk = handle.readData(ofLength: 1 << 16)
                if chunk.isEmpty { break }
                try reader.feed([UInt8](chunk))
            }
            series = try reader.finish()
        }
        let symbols = series.distinctSymbols
        if let symbol {
            guard symbols.contains(symbol) else {
                throw CLIError("\(path) has no rows for symbol \(symbol) (symbols: \(symbols.joined(separator: ", "))).")
            }
            return series.series(for: symbol)
        }
        if symbols.count > 1 {
            throw CLIError("\(path) holds \(symbols.count) symbols (\(symbols.prefix(10).joined(separator: ", "))); choose one with --symbol.")
        }
        return series
    }

    /// The contents of a regular file of at most ``wholeFileLimit`` bytes, read straight into
    /// the array; nil for anything else (a larger file, a pipe), which is then streamed.
    private static func readWhole(_ handle: FileHandle) throws -> [UInt8]? {
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= wholeFileLimit
        else { return nil }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let got = read(handle.fileDescriptor, buffer.baseAddress! + initialized, size - initialized)
                if got > 0 {
                    initialized += got
                } else if got == 0 || errno != EINTR {
                    failure = got == 0 ? 0 : errno
                    break
                }
            }
        }
        if failure != 0 { throw CLIError("Cannot read the file: \(String(cString: strerror(failure))).") }
        return bytes
    }

    /// Prints the error's message to standard error and returns the failure exit code.
    static func fail(_ error: Error) -> ExitCode {
        let message: String
        switch error {
        case let e as CSVError: message = "\(e)"
        case let e as QuantError: message = "\(e)"
        case let e as StrategyError: message = "\(e)"
        case let e as CLIError: message = e.message
        default: message = "\(error)"
        }
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode.failure
    }

    /// A number for a summary line ("n/a" when undefined).
    static func format(_ x: Double?, percent: Bool = false) -> String {
        guard let x, x.isFinite else { return "n/a" }
        return percent ? String(format: "%.2f%%", x * 100) : String(format: "%.4f", x)
    }

    /// Prints the metric set as aligned lines.
    static func printMetrics(_ m: PerformanceMetrics, timestamps: [Int64]) {
        func line(_ name: String, _ value: String) {
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0) + value)
        }
        line("Cumulative return", format(m.cumulativeReturn, percent: true))
        line("Annual return (CAGR)", format(m.annualReturn, percent: true))
        line("Annual volatility", format(m.annualVolatility, percent: true))
        line("Sharpe ratio", format(m.sharpe))
        line("Sortino ratio", format(m.sortino))
        line("Calmar ratio", format(m.calmar))
        line("Max drawdown", format(m.maxDrawdown, percent: true))
        if let d = m.drawdown, d.maxDrawdown < 0 {
            let date = { (i: Int?) in i.map { TimestampFormatter.iso8601(timestamps[$0]) } ?? "not recovered" }
            line("  peak / trough / recovery", "\(date(d.peak)) / \(date(d.trough)) / \(date(d.recovery)) (\(d.duration) bars)")
        }
        line("Omega ratio", format(m.omega))
        line("Tail ratio", format(m.tailRatio))
        line("Stability", format(m.stability))
        line("Downside risk", format(m.downsideRisk, percent: true))
        line("VaR 95% (historical)", format(m.valueAtRisk95, percent: true))
        line("CVaR 95%", format(m.conditionalValueAtRisk95, percent: true))
        if m.alignedCount != nil {
            line("Alpha (annual)", format(m.alpha, percent: true))
            line("Beta", format(m.beta))
            line("Information ratio", format(m.informationRatio))
            line("  aligned returns", "\(m.alignedCount ?? 0)")
        }
        if let t = m.tradeMaster {
            print(
                "TradeMaster figures: total return \(format(t.totalReturn, percent: true)), "
                    + "Sharpe \(format(t.sharpe)), volatility \(format(t.volatility, percent: true)), "
                    + "max drawdown \(format(t.maxDrawdown, percent: true)), Calmar \(format(t.calmar)), "
                    + "Sortino \(format(t.sortino))")
        }
    }
}

/// A command-line failure with a message for the user.
struct CLIError: Error {
    /// What went wrong.
    let message: String
    /// An error with `message`.
    init(_ message: String) { self.message = message }
}
