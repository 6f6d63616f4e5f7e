import Foundation
import PostgresClient

/// The summary and quality report of a freshly loaded dataset, computed in PostgreSQL over
/// its bars (aggregates and window functions; nothing is pulled into the worker but results).
struct DatasetAnalysis {
    let tx: Transaction
    let datasetID: Int64
    let extraColumns: [String]
    let hasVolume: Bool

    /// Computes both.
    func run() throws -> (DatasetSummary, DatasetQuality) {
        let id = datasetID
        let symbols = try tx.query(
            """
            SELECT symbol, count(*)::bigint AS n, min(ts) AS first, max(ts) AS last FROM bars WHERE dataset_id = \(id) GROUP BY symbol ORDER BY symbol
            """
        ).map { row in
            DatasetSummary.SymbolSummary(
                symbol: try row.decode("symbol"), rowCount: try row.decode("n"),
                first: Self.date(try row.decode("first")), last: Self.date(try row.decode("last")))
        }
        let totals = try tx.query(
            """
            SELECT count(*)::bigint AS n, min(ts) AS first, max(ts) AS last, bool_and(ts % 86400 = 0) AS dates_only,
                count(*) FILTER (WHERE volume = 0)::bigint AS zero_volume,
                min(open) AS open_min, max(open) AS open_max, avg(open) AS open_mean, stddev_samp(open) AS open_std,
                min(high) AS high_min, max(high) AS high_max, avg(high) AS high_mean, stddev_samp(high) AS high_std,
                min(low) AS low_min, max(low) AS low_max, avg(low) AS low_mean, stddev_samp(low) AS low_std,
                min(close) AS close_min, max(close) AS close_max, avg(close) AS close_mean, stddev_samp(close) AS close_std,
                min(volume) AS volume_min, max(volume) AS volume_max, avg(volume) AS volume_mean, stddev_samp(volume) AS volume_std
            FROM bars WHERE dataset_id = \(id)
            """)[0]
        let count: Int64 = try totals.decode("n")
        var columns: [DatasetSummary.ColumnSummary] = []
        for name in ["open", "high", "low", "close"] + (hasVolume ? ["volume"] : []) {
            func value(_ suffix: String) throws -> Double? { try totals.decodeIfPresent(name + "_" + suffix) }
            columns.append(
                .init(
                    name: name, count: count, nulls: 0, min: try value("min"), max: try value("max"),
                    mean: try value("mean"), std: try value("std")))
        }
        if !extraColumns.isEmpty {
            let stats = try tx.query(
                """
                SELECT i, count(v)::bigint AS n, (count(*) - count(v))::bigint AS nulls, min(v) AS min, max(v) AS max, avg(v) AS mean,
                    stddev_samp(v) AS std
                FROM bars, unnest(extra) WITH ORDINALITY AS u(v, i) WHERE dataset_id = \(id) GROUP BY i ORDER BY i
                """)
            for row in stats {
                let index: Int = try row.decode("i")
                guard index >= 1, index <= extraColumns.count else { continue }
                columns.append(
                    .init(
                        name: extraColumns[index - 1], count: try row.decode("n"), nulls: try row.decode("nulls"),
                        min: try row.decodeIfPresent("min"), max: try row.decodeIfPresent("max"),
                        mean: try row.decodeIfPresent("mean"), std: try row.decodeIfPresent("std")))
            }
        }
        let spacing = try tx.query(
            """
            SELECT d AS mode FROM (
                SELECT ts - lag(ts) OVER (PARTITION BY symbol ORDER BY ts) AS d FROM bars WHERE dataset_id = \(id)) s
            WHERE d IS NOT NULL GROUP BY d ORDER BY count(*) DESC, d LIMIT 1
            """
        ).first
        // The most common spacing: robust to weekends and gaps (a median is not, on short files).
        let interval: Int64 = try spacing?.decodeIfPresent("mode") ?? 86_400
        let summary = DatasetSummary(
            rowCount: count, symbols: symbols, first: Self.date(try totals.decode("first")), last: Self.date(try totals.decode("last")),
            interval: DatasetSummary.intervalName(interval), intervalSeconds: interval,
            datesOnly: try totals.decode("dates_only"), columns: columns)
        return (summary, try quality(interval: interval, zeroVolume: try totals.decode("zero_volume")))
    }

    private func quality(interval: Int64, zeroVolume: Int64) throws -> DatasetQuality {
        let id = datasetID
        let gaps = try gaps(interval: interval)
        let largest = try tx.query(
            """
            SELECT symbol, ts, r FROM (
                SELECT symbol, ts, close / lag(close) OVER (PARTITION BY symbol ORDER BY ts) - 1 AS r FROM bars WHERE dataset_id = \(id)) s
            WHERE r IS NOT NULL ORDER BY abs(r) DESC, ts LIMIT 1
            """
        ).first.map { row in
            DatasetQuality.LargestReturn(symbol: try row.decode("symbol"), date: Self.date(try row.decode("ts")), value: try row.decode("r"))
        }
        return DatasetQuality(gapCount: gaps.count, gaps: gaps.largest, largestAbsReturn: largest, zeroVolumeBars: zeroVolume)
    }

    /// The gaps larger than `interval` (business days for daily data, bars within one UTC
    /// day for intraday data): how many, and the 20 largest.
    func gaps(interval: Int64) throws -> (count: Int, largest: [DatasetQuality.Gap]) {
        let id = datasetID
        // Candidates: spacings above the interval (nights and weekends included), filtered below.
        let candidates = try tx.query(
            """
            SELECT symbol, p, ts FROM (
                SELECT symbol, ts, lag(ts) OVER (PARTITION BY symbol ORDER BY ts) AS p FROM bars WHERE dataset_id = \(id)) s
            WHERE p IS NOT NULL AND ts - p > \(interval) LIMIT 200000
            """)
        var gaps: [DatasetQuality.Gap] = []
        for row in candidates {
            let from: Int64 = try row.decode("p")
            let to: Int64 = try row.decode("ts")
            let missing = Self.missingBars(from: from, to: to, interval: interval)
            if missing > 0 {
                gaps.append(.init(symbol: try row.decode("symbol"), from: Self.date(from), to: Self.date(to), missingBars: missing))
            }
        }
        return Self.report(gaps)
    }

    /// The gap count and the 20 largest gaps (most missing bars first, then earliest).
    static func report(_ gaps: [DatasetQuality.Gap]) -> (count: Int, largest: [DatasetQuality.Gap]) {
        let largest = gaps.sorted { $0.missingBars != $1.missingBars ? $0.missingBars > $1.missingBars : $0.from < $1.from }.prefix(20)
        return (gaps.count, Array(largest))
    }

    /// Bars missing between consecutive bars at `from` and `to`: business days for daily
    /// data, bars within one UTC day for intraday data (the session's night is not a gap).
    static func missingBars(from: Int64, to: Int64, interval: Int64) -> Int64 {
        if interval >= 86_400 && interval < 7 * 86_400 { return businessDaysBetween(from, to) }
        if interval < 86_400 { return from / 86_400 == to / 86_400 ? (to - from) / interval - 1 : 0 }
        return (to - from) / interval - 1
    }

    /// Weekdays strictly between the days of `from` and `to` (epoch seconds).
    static func businessDaysBetween(_ from: Int64, _ to: Int64) -> Int64 {
        let first = Self.floorDiv(from, 86_400) + 1
        let last = Self.floorDiv(to, 86_400) - 1
        guard last >= first else { return 0 }
        func weekdaysBefore(_ day: Int64) -> Int64 {
            // Day 0 (1970-01-01) was a Thursday; count Mondays–Fridays in [epoch-aligned Monday, day).
            let shifted = day + 3  // 0 = Monday
            let weeks = Self.floorDiv(shifted, 7)
            let rest = shifted - weeks * 7
            return weeks * 5 + min(rest, 5)
        }
        return weekdaysBefore(last + 1) - weekdaysBefore(first)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}
