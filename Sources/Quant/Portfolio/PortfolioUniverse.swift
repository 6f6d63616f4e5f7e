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
        var picked: [(symbol: String, series: OHLCVSeries)] = []
        for name in names {
            guard let g = groups.first(where: { $0.symbol == name }) else {
                throw .invalidArgument(name: "symbols", reason: "includes \(name), which is not in the data")
            }
            try Self.requireIncreasing(g.series.timestamps, of: name)
            picked.append((name, g.series))
        }
        try self.init(aligning: picked)
    }

    /// Aligns each symbol's own series (`parts`, in weight order) on the times every one of
    /// them has. Throws when there is no symbol, a symbol's times are not increasing, or fewer
    /// than two common bars remain.
    public init(aligning parts: [(symbol: String, series: OHLCVSeries)]) throws(QuantError) {
        guard !parts.isEmpty else { throw .insufficientData(what: "symbols", required: 1, actual: 0) }
        for part in parts { try Self.requireIncreasing(part.series.timestamps, of: part.symbol) }
        // Each symbol's times increase: the common ones are a merge-intersection, in order.
        var common = parts[0].series.timestamps
        for part in parts.dropFirst() where common != part.series.timestamps {
            common = Self.intersection(common, part.series.timestamps)
        }
        guard common.count >= 2 else {
            throw .insufficientData(
                what: "common bars of \(parts.map(\.symbol).joined(separator: ", "))", required: 2, actual: common.count)
        }
        symbols = parts.map(\.symbol)
        series = parts.map { part in
            part.series.count == common.count ? part.series : part.series.rows(Self.indices(of: common, in: part.series.timestamps))
        }
        timestamps = common
    }

    /// The number of common bars.
    public var count: Int { timestamps.count }

    /// Throws unless `times` strictly increase.
    static func requireIncreasing(_ times: [Int64], of name: String) throws(QuantError) {
        for i in times.indices.dropFirst() where times[i] <= times[i - 1] {
            throw .invalidArgument(name: "timestamps", reason: "of \(name) are not increasing at row \(i)")
        }
    }

    /// The times in both increasing arrays, in order.
    static func intersection(_ a: [Int64], _ b: [Int64]) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] {
                i += 1
            } else if b[j] < a[i] {
                j += 1
            } else {
                out.append(a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    /// The rows of increasing `times` at each of `wanted` (increasing, a subset of `times`).
    static func indices(of wanted: [Int64], in times: [Int64]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(wanted.count)
        var j = 0
        for t in wanted {
            while times[j] < t { j += 1 }
            out.append(j)
            j += 1
        }
        return out
    }
}
