import Testing

@testable import Quant

/// `PortfolioUniverse(aligning:)`, each symbol's own series (what a portfolio run reads), against
/// the long-format form the Quant fixtures use: the same universe, the same common times when
/// symbols miss different bars, and the same errors.
@Suite struct PortfolioUniverseTests {
    /// A universe's symbols as separate series, without their `symbols` column.
    static func parts(_ u: PortfolioUniverse) -> [(symbol: String, series: OHLCVSeries)] {
        zip(u.symbols, u.series).map { name, series in
            var s = series
            s.symbols = nil
            return (name, s)
        }
    }

    /// The fixture's symbols as separate series, without their `symbols` column.
    static func parts(_ long: OHLCVSeries, _ names: [String]) -> [(symbol: String, series: OHLCVSeries)] {
        names.map { name in
            var s = long.series(for: name)
            s.symbols = nil
            return (name, s)
        }
    }

    @Test func separateSeriesAlignAsTheLongFormDoes() throws {
        let long = try Fixtures.series("portfolio.csv")
        let names = ["CCC", "AAA", "BBB"]
        let a = try PortfolioUniverse(long, symbols: names)
        let b = try PortfolioUniverse(aligning: Self.parts(long, names))
        #expect(b.symbols == a.symbols && b.timestamps == a.timestamps && b.count > 2)
        #expect(b.series.map(\.open) == a.series.map(\.open) && b.series.map(\.close) == a.series.map(\.close))
        #expect(b.series.map(\.volume) == a.series.map(\.volume) && b.series.map(\.timestamps) == a.series.map(\.timestamps))
    }

    @Test func onlyTheTimesEverySymbolHasRemain() throws {
        // The fixture's symbols on their common times, then each missing other bars.
        let base = try PortfolioUniverse(try Fixtures.series("portfolio.csv"))
        var parts = Self.parts(base)
        let n = base.count
        // The first symbol misses every third bar, the second the first ten, the third the last five and bar 20.
        parts[0].series = parts[0].series.rows((0..<n).filter { $0 % 3 != 0 })
        parts[1].series = parts[1].series.rows(Array(10..<n))
        parts[2].series = parts[2].series.rows((0..<(n - 5)).filter { $0 != 20 })
        let rows = (10..<(n - 5)).filter { $0 % 3 != 0 && $0 != 20 }
        let u = try PortfolioUniverse(aligning: parts)
        #expect(u.timestamps == rows.map { base.timestamps[$0] } && u.count > 2)
        for (k, s) in u.series.enumerated() {
            #expect(s.timestamps == u.timestamps)
            #expect(s.close == rows.map { base.series[k].close[$0] } && s.open == rows.map { base.series[k].open[$0] })
        }
        // The long form of the same rows agrees.
        var merged = parts[0].series
        merged.symbols = [String](repeating: parts[0].symbol, count: merged.count)
        for p in parts.dropFirst() {
            merged.timestamps += p.series.timestamps
            merged.open += p.series.open
            merged.high += p.series.high
            merged.low += p.series.low
            merged.close += p.series.close
            merged.volume += p.series.volume
            merged.symbols! += [String](repeating: p.symbol, count: p.series.count)
        }
        #expect(try PortfolioUniverse(merged).timestamps == u.timestamps)
    }

    @Test func badPartsAreErrors() throws {
        var parts = Self.parts(try PortfolioUniverse(try Fixtures.series("portfolio.csv"), symbols: ["AAA", "BBB"]))
        #expect(throws: QuantError.insufficientData(what: "symbols", required: 1, actual: 0)) {
            try PortfolioUniverse(aligning: [])
        }
        var twice = parts
        twice[1].series = parts[1].series.rows([0, 1, 1, 2])
        #expect(throws: QuantError.invalidArgument(name: "timestamps", reason: "of BBB are not increasing at row 2")) {
            try PortfolioUniverse(aligning: twice)
        }
        parts[1].series = parts[1].series.rows([1])
        #expect(throws: QuantError.insufficientData(what: "common bars of AAA, BBB", required: 2, actual: 1)) {
            try PortfolioUniverse(aligning: parts)
        }
        parts[1].series = parts[1].series.rows([])
        #expect(throws: QuantError.insufficientData(what: "common bars of AAA, BBB", required: 2, actual: 0)) {
            try PortfolioUniverse(aligning: parts)
        }
    }
}
