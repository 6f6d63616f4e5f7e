import Foundation
import Testing

@testable import Models

/// The upload's running statistics: the gap report from remembered spacings, and its cost
/// when a file has many distinct spacings.
struct BarStatisticsTests {
    /// Statistics of one wide symbol at `times` (increasing).
    static func statistics(_ times: [Int64]) -> BarStatistics {
        var statistics = BarStatistics(extras: 0)
        let k = [UInt8]().withUnsafeBufferPointer { statistics.symbolIndex($0) }
        for (i, ts) in times.enumerated() {
            let close = 100 + Double(i % 7)
            statistics.add(k, ts: ts, open: close, high: close + 1, low: close - 1, close: close, volume: 10)
        }
        return statistics
    }

    /// The gap report computed from the consecutive pairs directly.
    static func reference(_ times: [Int64], interval: Int64) -> (count: Int, largest: [DatasetQuality.Gap]) {
        var gaps: [DatasetQuality.Gap] = []
        for (from, to) in zip(times, times.dropFirst()) where to - from > interval {
            let missing = DatasetAnalysis.missingBars(from: from, to: to, interval: interval)
            if missing > 0 {
                gaps.append(.init(symbol: "X", from: DatasetAnalysis.date(from), to: DatasetAnalysis.date(to), missingBars: missing))
            }
        }
        return DatasetAnalysis.report(gaps)
    }

    /// More remembered spacings than there is room for: the longest list (the interval's) is
    /// dropped and the report from the rest is the one the pairs give.
    @Test func theGapReportIsThePairsReportWhenTheRoomOverflows() throws {
        var times: [Int64] = []
        var t: Int64 = 1_700_006_400  // a midnight (UTC)
        for i in 0..<(BarStatistics.occurrenceRoom + 30_000) {
            times.append(t)
            t += i % 997 == 0 ? 60 * Int64(2 + i % 5) : (i % 13 == 0 ? 60 + Int64(i % 50) : 60)
        }
        let statistics = Self.statistics(times)
        #expect(statistics.interval == 60)
        let report = try #require(statistics.gaps(interval: 60, wide: "X"))
        let expected = Self.reference(times, interval: 60)
        #expect(report.count == expected.count && report.count > 0)
        #expect(report.largest == expected.largest)
    }

    /// A file whose every spacing is new: the room fills with one-row lists and each new row
    /// drops one. Finding the longest list rescanned them all (about 10^10 steps for these
    /// 200,000 rows, minutes); it is now found at once. The answer is unchanged: a dropped
    /// spacing is longer than the interval, so the report is left to SQL (nil).
    /// Symbols whose rows come together (grouped, or a wide file) do not interleave; a
    /// time-major file's (every symbol at one time, then the next time) do.
    @Test func interleavedSymbolsAreSeen() {
        func statistics(_ symbols: [String]) -> BarStatistics {
            var statistics = BarStatistics(extras: 0)
            for symbol in symbols { _ = Array(symbol.utf8).withUnsafeBufferPointer { statistics.symbolIndex($0) } }
            return statistics
        }
        #expect(!statistics(["A", "A", "B", "B", "C"]).interleaved)
        #expect(!statistics(["", "", ""]).interleaved)
        #expect(!statistics([]).interleaved)
        #expect(statistics(["A", "B", "A", "B"]).interleaved)
        #expect(statistics(["A", "A", "B", "A"]).interleaved)
    }

    @Test func manyDistinctSpacingsStayLinear() {
        var times: [Int64] = []
        var t: Int64 = 0
        for i in 0..<200_000 {
            times.append(t)
            t += 1_000 + Int64(i)
        }
        let clock = ContinuousClock()
        var statistics: BarStatistics?
        let elapsed = clock.measure { statistics = Self.statistics(times) }
        #expect(elapsed < .seconds(10), "\(elapsed)")
        #expect(statistics?.interval == 1_000, "the smallest of equally common spacings")
        #expect(statistics?.gaps(interval: 1_000, wide: "X") == nil)
    }
}
