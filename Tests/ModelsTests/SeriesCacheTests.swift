import Foundation
import Testing

@testable import Models

/// The process's cache of whole series: a range is the slice `[start, end)` the SQL takes,
/// a series is loaded once, and the least recently used one leaves when room runs out.
struct SeriesCacheTests {
    /// `count` bars of `symbol` a minute apart from `first`, each value its index.
    static func series(_ symbol: String, count: Int, first: Int64 = 1_000) -> BarColumns {
        var columns = BarColumns(symbol: symbol)
        columns.time = (0..<count).map { first + Int64($0) * 60 }
        let values = (0..<count).map(Double.init)
        (columns.open, columns.high, columns.low, columns.close, columns.volume) = (values, values, values, values, values)
        columns.sourceRows = count
        return columns
    }

    /// The bars of `whole` with `start <= time < end`, filtered one by one (the reference).
    static func filtered(_ whole: BarColumns, start: Int64?, end: Int64?) -> [Int64] {
        whole.time.filter { $0 >= (start ?? .min) && $0 < (end ?? .max) }
    }

    @Test func aRangeIsTheSliceTheSQLSelects() {
        let whole = Self.series("A", count: 100)
        let bounds: [Int64?] = [nil, .min, 0, 999, 1_000, 1_001, 1_060, 3_000, 3_030, 6_940, 6_941, 7_000, .max]
        for start in bounds {
            for end in bounds {
                let part = SeriesCache.slice(whole, start: start, end: end)
                let expected = Self.filtered(whole, start: start, end: end)
                #expect(part.time == expected, "start \(String(describing: start)), end \(String(describing: end))")
                #expect(part.close == expected.map { Double(($0 - 1_000) / 60) })
                #expect(part.open.count == expected.count && part.volume.count == expected.count && part.sourceRows == expected.count)
            }
        }
        #expect(SeriesCache.slice(Self.series("E", count: 0), start: 5, end: 10).time.isEmpty)
    }

    @Test func aSeriesIsLoadedOnceAndRangesComeFromIt() throws {
        let cache = SeriesCache(capacityBytes: 1 << 20)
        var loads = 0
        func read(_ start: Int64?, _ end: Int64?) throws -> BarColumns {
            try cache.bars(dataset: 7, symbol: "A", start: start, end: end) {
                loads += 1
                return Self.series("A", count: 100)
            }
        }
        #expect(try read(nil, nil).time.count == 100)
        #expect(try read(1_060, 1_300).time == [1_060, 1_120, 1_180, 1_240])
        #expect(loads == 1)
        #expect(cache.cached(dataset: 7, symbol: "A", start: nil, end: 1_120)?.time == [1_000, 1_060])
        #expect(cache.cached(dataset: 7, symbol: "B", start: nil, end: nil) == nil)
        #expect(cache.cached(dataset: 8, symbol: "A", start: nil, end: nil) == nil)
    }

    @Test func theLeastRecentlyUsedSeriesLeavesAndHugeOnesAreNotKept() throws {
        // 50 bars are 2,400 bytes: four fit in 10,000, and at most 2,500 (a quarter) is kept.
        let cache = SeriesCache(capacityBytes: 10_000)
        func load(_ symbol: String, count: Int = 50) throws {
            _ = try cache.bars(dataset: 1, symbol: symbol, start: nil, end: nil) { Self.series(symbol, count: count) }
        }
        for symbol in ["A", "B", "C", "D"] { try load(symbol) }
        _ = cache.cached(dataset: 1, symbol: "A", start: nil, end: nil)  // A is used again: B is now the oldest
        try load("E")
        #expect(cache.cached(dataset: 1, symbol: "B", start: nil, end: nil) == nil)
        for symbol in ["A", "C", "D", "E"] { #expect(cache.cached(dataset: 1, symbol: symbol, start: nil, end: nil) != nil, "\(symbol)") }
        // More than a quarter of the capacity: read, never kept.
        try load("Huge", count: 53)
        #expect(cache.cached(dataset: 1, symbol: "Huge", start: nil, end: nil) == nil)
        let none = SeriesCache(capacityBytes: 0)
        _ = try none.bars(dataset: 1, symbol: "A", start: nil, end: nil) { Self.series("A", count: 1) }
        #expect(none.cached(dataset: 1, symbol: "A", start: nil, end: nil) == nil)
    }
}
