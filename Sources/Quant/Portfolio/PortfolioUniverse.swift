/// Several instruments' bars on their common timestamps (the rows every symbol has).
public struct PortfolioUniverse: Sendable, Equatable {
    /// The instruments, in the order asked for (or of first appearance).
    public var symbols: [String]
    /// The common bar times, ascending.
    public var timestamps: [Int64]
    /// Each symbol's bars at `timestamps`, in `symbols` order.
    public var series: [OHLCVSeries]

    /// Aligns the symbols of a long-format series (all of them when `symbols` is nil).
    /// Throws when a symbol is missing, a symbol's times are not increasing, or fewer than
    /// two common bars remain.
    public init(_ long: OHLCVSeries, symbols wanted: [String]? = nil) throws(QuantError) {
        // A single-instrument series is the one symbol asked for (or the unnamed one).
        let groups =
            long.symbols == nil && (wanted?.count ?? 0) <= 1
            ? [(symbol: wanted?.first ?? "", series: long)] : long.splitBySymbol()
        let names = wanted ?? groups.map(\.symbol)
        guard !names.isEmpty else { throw .insufficientData(what: "symbols", required: 1, actual: 0) }
        var picked: [OHLCVSeries] = []
        for name in names {
            guard let g = groups.first(where: { $0.symbol == name }) else {
                throw .invalidArgument(name: "symbols", reason: "includes \(name), which is not in the data")
            }
            for i in g.series.timestamps.indices.dropFirst() where g.series.timestamps[i] <= g.series.timestamps[i - 1] {
                throw .invalidArgument(name: "timestamps", reason: "of \(name) are not increasing at row \(i)")
            }
            picked.append(g.series)
        }
        // Times every symbol has: count each time once per symbol.
        var seen: [Int64: Int] = [:]
        for s in picked { for t in s.timestamps { seen[t, default: 0] += 1 } }
        let common = Set(seen.filter { $0.value == picked.count }.keys)
        guard common.count >= 2 else {
            throw .insufficientData(what: "common bars of \(names.joined(separator: ", "))", required: 2, actual: common.count)
        }
        symbols = names
        series = picked.map { s in s.rows(s.timestamps.indices.filter { common.contains(s.timestamps[$0]) }) }
        timestamps = series[0].timestamps
    }

    /// The number of common bars.
    public var count: Int { timestamps.count }
}
