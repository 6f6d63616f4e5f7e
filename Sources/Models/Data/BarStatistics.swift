import Foundation

/// The summary of an upload accumulated while its rows are parsed, so a file whose rows come
/// in time order per symbol needs no statistics queries afterwards (only the gap report,
/// which needs the final interval, reads the bars again). Matches what ``DatasetAnalysis``
/// computes in SQL: per-column count, nulls, min, max, mean and sample std; per-symbol rows
/// and span; the most common spacing; the largest absolute close-to-close return; zero-volume
/// bars. Only valid while every symbol's times increase (``inOrder``).
struct BarStatistics {
    /// A running mean and variance (Welford), with min and max.
    struct Moments {
        var count: Int64 = 0
        var mean = 0.0
        var m2 = 0.0
        var min = Double.infinity
        var max = -Double.infinity

        mutating func add(_ x: Double) {
            count += 1
            let delta = x - mean
            mean += delta / Double(count)
            m2 += delta * (x - mean)
            if x < min { min = x }
            if x > max { max = x }
        }

        func summary(name: String, rows: Int64) -> DatasetSummary.ColumnSummary {
            DatasetSummary.ColumnSummary(
                name: name, count: count, nulls: rows - count, min: count > 0 ? min : nil,
                max: count > 0 ? max : nil, mean: count > 0 ? mean : nil,
                std: count > 1 ? (m2 / Double(count - 1)).squareRoot() : nil)
        }
    }

    /// One symbol's running state.
    struct SymbolState {
        var name: String
        var rows: Int64 = 0
        var first: Int64 = 0
        var last: Int64 = 0
        var lastClose = 0.0
    }

    private(set) var symbols: [SymbolState] = []
    private var index: [[UInt8]: Int] = [:]
    private var lastSymbol: [UInt8] = []
    private var lastIndex = -1
    /// open, high, low, close, volume, then the extras.
    private(set) var columns: [Moments]
    private var spacings: [Int64: Int64] = [:]
    /// Where each spacing occurred (symbol, earlier time), while there is room: the gap
    /// report's candidates without a second pass. When the room runs out, the longest list
    /// is dropped (most likely the interval's own, which holds no gaps); if a dropped
    /// spacing turns out longer than the interval, the report falls back to SQL.
    private var occurrences: [Int64: [(symbol: Int32, from: Int64)]] = [:]
    private var dropped: Set<Int64> = []
    /// The remembered spacings by the length of their list, and the longest length: the
    /// longest list is found without scanning every list (which made a file of many distinct
    /// spacings quadratic once the room was full).
    private var byLength: [Int: Set<Int64>] = [:]
    private var longestLength = 0
    private var stored = 0
    static let occurrenceRoom = 100_000
    private(set) var rows: Int64 = 0
    private(set) var zeroVolume: Int64 = 0
    private var datesOnly = true
    private var largest: (symbol: Int, ts: Int64, value: Double)?
    /// False once a symbol's time did not increase (then the SQL analysis is used).
    private(set) var inOrder = true

    /// Statistics for `extras` extra columns.
    init(extras: Int) {
        columns = Array(repeating: Moments(), count: 5 + extras)
    }

    /// The index of `symbol` (raw bytes; empty for a wide file), added when new.
    mutating func symbolIndex(_ symbol: UnsafeBufferPointer<UInt8>) -> Int {
        if lastIndex >= 0, lastSymbol.elementsEqual(symbol) { return lastIndex }
        let key = Array(symbol)
        let k: Int
        if let known = index[key] {
            k = known
        } else {
            k = symbols.count
            index[key] = k
            symbols.append(SymbolState(name: String(decoding: key, as: UTF8.self)))
        }
        lastSymbol = key
        lastIndex = k
        symbolRuns += 1
        return k
    }

    /// Runs of consecutive rows of one symbol: as many as there are symbols when each
    /// symbol's rows come together, more when symbols interleave (a time-major file).
    private(set) var symbolRuns = 0

    /// Whether the rows of different symbols interleave.
    var interleaved: Bool { symbolRuns > symbols.count }

    /// Whether a row of symbol `k` at `ts` keeps the symbol's times increasing.
    func follows(_ k: Int, _ ts: Int64) -> Bool {
        symbols[k].rows == 0 || ts > symbols[k].last
    }

    /// Marks the file as not in time order.
    mutating func markOutOfOrder() { inOrder = false }

    /// Adds a good row of symbol `k` (its time increasing).
    mutating func add(_ k: Int, ts: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        rows += 1
        if ts % 86_400 != 0 { datesOnly = false }
        if symbols[k].rows == 0 {
            symbols[k].first = ts
        } else {
            let spacing = ts - symbols[k].last
            spacings[spacing, default: 0] += 1
            if !dropped.contains(spacing) { remember(spacing, symbol: k, from: symbols[k].last) }
            let r = close / symbols[k].lastClose - 1
            if let current = largest {
                if abs(r) > abs(current.value) || (abs(r) == abs(current.value) && ts < current.ts) { largest = (k, ts, r) }
            } else {
                largest = (k, ts, r)
            }
        }
        symbols[k].rows += 1
        symbols[k].last = ts
        symbols[k].lastClose = close
        columns[0].add(open)
        columns[1].add(high)
        columns[2].add(low)
        columns[3].add(close)
        columns[4].add(volume)
        if volume == 0 { zeroVolume += 1 }
    }

    private mutating func remember(_ spacing: Int64, symbol: Int, from: Int64) {
        let length = occurrences[spacing]?.count ?? 0
        occurrences[spacing, default: []].append((Int32(symbol), from))
        move(spacing, from: length, to: length + 1)
        stored += 1
        if stored > Self.occurrenceRoom, let longest = byLength[longestLength]?.first {
            let count = longestLength
            move(longest, from: count, to: 0)
            dropped.insert(longest)
            stored -= count
            occurrences[longest] = nil
        }
    }

    /// Moves `spacing` from the lists of length `from` to those of length `to` (0: none).
    /// `longestLength` grows by at most one per row, so its walk down is linear overall.
    private mutating func move(_ spacing: Int64, from: Int, to: Int) {
        if from > 0 {
            byLength[from]?.remove(spacing)
            if byLength[from]?.isEmpty == true { byLength[from] = nil }
        }
        if to > 0 {
            byLength[to, default: []].insert(spacing)
            longestLength = max(longestLength, to)
        }
        while longestLength > 0 && byLength[longestLength] == nil { longestLength -= 1 }
    }

    /// The gap report over the remembered spacings, or nil when a spacing longer than
    /// `interval` was not remembered (then SQL must compute it).
    func gaps(interval: Int64, wide: String) -> (count: Int, largest: [DatasetQuality.Gap])? {
        guard !dropped.contains(where: { $0 > interval }) else { return nil }
        var gaps: [DatasetQuality.Gap] = []
        for (spacing, list) in occurrences where spacing > interval {
            for (symbol, from) in list {
                let missing = DatasetAnalysis.missingBars(from: from, to: from + spacing, interval: interval)
                guard missing > 0 else { continue }
                let name = symbols[Int(symbol)].name
                gaps.append(
                    .init(
                        symbol: name.isEmpty ? wide : name, from: DatasetAnalysis.date(from),
                        to: DatasetAnalysis.date(from + spacing), missingBars: missing))
            }
        }
        return DatasetAnalysis.report(gaps)
    }

    /// Adds the value of extra column `e` (0-based) of the current row.
    mutating func addExtra(_ e: Int, _ value: Double) {
        columns[5 + e].add(value)
    }

    /// The most common spacing (the smallest of equally common ones), 1 day without one.
    var interval: Int64 {
        var best: (spacing: Int64, count: Int64)?
        for (spacing, count) in spacings where best.map({ count > $0.count || (count == $0.count && spacing < $0.spacing) }) ?? true {
            best = (spacing, count)
        }
        return best?.spacing ?? 86_400
    }

    /// The summary; `names` are the column names (open…volume, then extras); `wide` names a
    /// wide file's symbol.
    func summary(names: [String], hasVolume: Bool, wide: String) -> DatasetSummary {
        let named = symbols.map { ($0.name.isEmpty ? wide : $0.name, $0) }.sorted { $0.0 < $1.0 }
        var columnSummaries: [DatasetSummary.ColumnSummary] = []
        for (i, name) in names.enumerated() where i != 4 || hasVolume {
            columnSummaries.append(columns[i].summary(name: name, rows: rows))
        }
        let first = symbols.map(\.first).min() ?? 0
        let last = symbols.map(\.last).max() ?? 0
        let interval = interval
        return DatasetSummary(
            rowCount: rows,
            symbols: named.map {
                DatasetSummary.SymbolSummary(
                    symbol: $0.0, rowCount: $0.1.rows, first: DatasetAnalysis.date($0.1.first),
                    last: DatasetAnalysis.date($0.1.last))
            },
            first: DatasetAnalysis.date(first), last: DatasetAnalysis.date(last), interval: DatasetSummary.intervalName(interval),
            intervalSeconds: interval, datesOnly: datesOnly, columns: columnSummaries)
    }

    /// The largest absolute return, with its symbol named as in the summary.
    func largestReturn(wide: String) -> DatasetQuality.LargestReturn? {
        largest.map { l in
            let name = symbols[l.symbol].name
            return DatasetQuality.LargestReturn(symbol: name.isEmpty ? wide : name, date: DatasetAnalysis.date(l.ts), value: l.value)
        }
    }
}
