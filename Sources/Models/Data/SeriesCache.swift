import Foundation

/// Whole series of bars kept in a process's memory, keyed by (dataset, symbol), for the reads
/// that take every bar (backtests, runs, performance, risk, parameter search, preprocessing).
///
/// A dataset's bars never change after its upload commits (they are written once, in the
/// transaction that creates the dataset, and deleted only with it; ids are never reused), so
/// an entry needs no invalidation: a deleted dataset fails its ownership check before any
/// read reaches the cache. Bounded by ``capacityBytes`` (48 bytes a bar), the least recently
/// used series leaving first; a series larger than a quarter of it is not kept. PostgreSQL
/// stays the system of record: a miss reads the rows, and a date range is a slice of the
/// cached series (the same `[start, end)` the SQL takes).
public final class SeriesCache: @unchecked Sendable {
    /// The most bytes of bars kept.
    public let capacityBytes: Int
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0

    struct Key: Hashable {
        let dataset: Int64
        let symbol: String
    }

    struct Entry {
        let columns: BarColumns
        var used: UInt64
    }

    /// A cache of at most `capacityBytes` of bars (0: keeps nothing).
    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Bytes a series of `count` bars takes.
    static func size(_ count: Int) -> Int { count * 48 }

    /// The cached series of `symbol` in `dataset` within `[start, end)`, or nil (nothing is loaded).
    func cached(dataset: Int64, symbol: String, start: Int64?, end: Int64?) -> BarColumns? {
        let key = Key(dataset: dataset, symbol: symbol)
        let whole: BarColumns? = lock.withLock {
            clock += 1
            guard var entry = entries[key] else { return nil }
            entry.used = clock
            entries[key] = entry
            return entry.columns
        }
        return whole.map { Self.slice($0, start: start, end: end) }
    }

    /// Every bar of `symbol` in `dataset` within `[start, end)`: from the cache, or `load`ed
    /// (every bar of the symbol, in time order) and kept.
    func bars(dataset: Int64, symbol: String, start: Int64?, end: Int64?, load: () throws -> BarColumns) rethrows -> BarColumns {
        let key = Key(dataset: dataset, symbol: symbol)
        let cached: BarColumns? = lock.withLock {
            clock += 1
            guard var entry = entries[key] else {
                return nil
            }
            entry.used = clock
            entries[key] = entry
            return entry.columns
        }
        let whole = try cached ?? load()
        if cached == nil { keep(whole, key: key) }
        return Self.slice(whole, start: start, end: end)
    }

    /// Keeps `whole`, every bar of its symbol in `dataset` in time order, read by another path.
    func offer(_ whole: BarColumns, dataset: Int64) {
        keep(whole, key: Key(dataset: dataset, symbol: whole.symbol))
    }

    private func keep(_ columns: BarColumns, key: Key) {
        let size = Self.size(columns.time.count)
        guard size <= capacityBytes / 4 else { return }
        lock.withLock {
            guard entries[key] == nil else { return }
            while bytes + size > capacityBytes, let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
                bytes -= Self.size(oldest.value.columns.time.count)
                entries[oldest.key] = nil
            }
            clock += 1
            entries[key] = Entry(columns: columns, used: clock)
            bytes += size
        }
    }

    /// The bars of `whole` (in time order) with `start <= time < end`.
    static func slice(_ whole: BarColumns, start: Int64?, end: Int64?) -> BarColumns {
        guard start != nil || end != nil else { return whole }
        let times = whole.time
        func firstIndex(notBelow value: Int64) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        let from = start.map(firstIndex(notBelow:)) ?? 0
        let to = max(from, end.map(firstIndex(notBelow:)) ?? times.count)
        var part = BarColumns(symbol: whole.symbol)
        part.time = Array(times[from..<to])
        part.open = Array(whole.open[from..<to])
        part.high = Array(whole.high[from..<to])
        part.low = Array(whole.low[from..<to])
        part.close = Array(whole.close[from..<to])
        part.volume = Array(whole.volume[from..<to])
        part.sourceRows = to - from
        return part
    }
}
