/// A columnar price series: one array per field, all of the same length.
///
/// Timestamps are seconds since 1970-01-01 UTC. `symbols` is set for long-format files
/// (TradeMaster's `date,tic,…`), where rows of several instruments are interleaved.
public struct OHLCVSeries: Sendable, Equatable {
    /// Bar times, seconds since the Unix epoch (UTC).
    public var timestamps: [Int64]
    /// Opening prices.
    public var open: [Double]
    /// Highest prices.
    public var high: [Double]
    /// Lowest prices.
    public var low: [Double]
    /// Closing prices.
    public var close: [Double]
    /// Traded volume; zeros when the file had no volume column.
    public var volume: [Double]
    /// Adjusted close (`adjcp`), when the file had one.
    public var adjustedClose: [Double]?
    /// The instrument of each row, for long-format files.
    public var symbols: [String]?

    /// The number of bars.
    public var count: Int { timestamps.count }

    /// Whether the series has no bars.
    public var isEmpty: Bool { timestamps.isEmpty }

    /// Builds a series, checking that every column has the same length and every value is finite.
    public init(
        timestamps: [Int64], open: [Double], high: [Double], low: [Double], close: [Double],
        volume: [Double]? = nil, adjustedClose: [Double]? = nil, symbols: [String]? = nil
    ) throws(QuantError) {
        let n = timestamps.count
        let columns: [(String, [Double]?)] = [
            ("open", open), ("high", high), ("low", low), ("close", close),
            ("volume", volume), ("adjcp", adjustedClose),
        ]
        for (name, column) in columns {
            guard let column else { continue }
            guard column.count == n else {
                throw .lengthMismatch(what: name, expected: n, actual: column.count)
            }
            try Validation.requireFinite(column, name: name)
        }
        if let symbols, symbols.count != n {
            throw .lengthMismatch(what: "symbols", expected: n, actual: symbols.count)
        }
        self.init(
            unchecked: timestamps, open: open, high: high, low: low, close: close,
            volume: volume ?? [Double](repeating: 0, count: n), adjustedClose: adjustedClose, symbols: symbols)
    }

    /// A series built from closing prices only (open, high and low equal the close).
    public init(timestamps: [Int64], close: [Double]) throws(QuantError) {
        try Validation.requireFinite(close, name: "close")
        try self.init(timestamps: timestamps, open: close, high: close, low: close, close: close)
    }

    /// Internal unchecked initialiser for code that already validated its columns.
    init(
        unchecked timestamps: [Int64], open: [Double], high: [Double], low: [Double],
        close: [Double], volume: [Double], adjustedClose: [Double]?, symbols: [String]?
    ) {
        self.timestamps = timestamps
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.adjustedClose = adjustedClose
        self.symbols = symbols
    }

    /// The distinct symbols in order of first appearance (empty for a single-instrument file).
    public var distinctSymbols: [String] {
        guard let symbols else { return [] }
        var seen = Set<String>()
        return symbols.filter { seen.insert($0).inserted }
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> OHLCVSeries {
        OHLCVSeries(
            unchecked: indices.map { timestamps[$0] }, open: indices.map { open[$0] },
            high: indices.map { high[$0] }, low: indices.map { low[$0] },
            close: indices.map { close[$0] }, volume: indices.map { volume[$0] },
            adjustedClose: adjustedClose.map { a in indices.map { a[$0] } },
            symbols: symbols.map { s in indices.map { s[$0] } })
    }

    /// The bars of one instrument of a long-format series (the whole series when it has no symbols).
    public func series(for symbol: String) -> OHLCVSeries {
        guard let symbols else { return self }
        return rows(symbols.indices.filter { symbols[$0] == symbol })
    }

    /// The series split per instrument, in order of first appearance.
    public func splitBySymbol() -> [(symbol: String, series: OHLCVSeries)] {
        guard let symbols else { return [("", self)] }
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for (i, s) in symbols.enumerated() {
            if groups[s] == nil { order.append(s) }
            groups[s, default: []].append(i)
        }
        return order.map { ($0, rows(groups[$0] ?? [])) }
    }
}
