/// Collects the rows ``OHLCVCSVReader`` reads into the columns of a series, refusing a row
/// whose time does not increase (per symbol in long format).
///
/// A row's numbers are staged in a fixed block and appended to the columns a block at a time:
/// one uniqueness check a row instead of one per column.
struct OHLCVSeriesBuilder: OHLCVRowSink {
    private var timestamps: [Int64] = [], symbols: [String] = []
    private var open: [Double] = [], high: [Double] = [], low: [Double] = [], close: [Double] = []
    private var volume: [Double] = [], adjusted: [Double] = []
    private var staged = StagedRows()
    private var lastTimestamp: Int64 = .min
    private var lastBySymbol: [String: Int64] = [:]
    private var hasOHL = false, hasVolume = false, hasAdjusted = false, hasSymbol = false

    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {
        let fields = Set((0..<reader.columns.count).compactMap(reader.field(ofColumn:)))
        hasOHL = fields.contains(.open)
        hasVolume = fields.contains(.volume)
        hasAdjusted = fields.contains(.adjustedClose)
        hasSymbol = fields.contains(.symbol)
    }

    /// The series takes values only.
    static var readsNumberFields: Bool { false }

    /// Stages a row in time order; for a file without symbols, small enough to inline into the
    /// row loop (the call and its row in memory cost about a tenth of the parse).
    @inline(__always)
    mutating func take(_ row: OHLCVRow) -> String? {
        guard !hasSymbol else { return takeWithSymbol(row) }
        let ts = row.timestamp
        if let refusal = Self.refusal(ts, after: lastTimestamp) { return refusal }
        lastTimestamp = ts
        stage(row)
        return nil
    }

    /// Why a row at `ts` cannot follow one at `last`, or nil when it can (a later time).
    @inline(__always)
    static func refusal(_ ts: Int64, after last: Int64) -> String? {
        ts > last ? nil : ts == last ? "duplicate timestamp" : outOfOrder
    }

    private static let outOfOrder = "timestamp out of order (earlier than the previous row)"

    /// `take` for a file in long format: the order is checked per symbol.
    @inline(never)
    private mutating func takeWithSymbol(_ row: OHLCVRow) -> String? {
        let ts = row.timestamp
        let symbol = String(decoding: row.symbol, as: UTF8.self)
        if let reason = Self.refusal(ts, after: lastBySymbol[symbol] ?? .min) { return reason + " for \(symbol)" }
        lastBySymbol[symbol] = ts
        symbols.append(symbol)
        stage(row)
        return nil
    }

    /// Appends the row's numbers to the staged block (and the block to the columns when full).
    @inline(__always)
    private mutating func stage(_ row: OHLCVRow) {
        // A copy of the builder (of its reader) must not write into the block it shares.
        if !isKnownUniquelyReferenced(&staged) { staged = staged.copy() }
        if staged.append(row.timestamp, row.open, row.high, row.low, row.close, row.volume, row.adjustedClose) { flush() }
    }

    mutating func expect(rows: Int) {
        let need = timestamps.count + staged.count + rows
        guard need > timestamps.capacity else { return }
        // An eighth more than the estimate, and at least double: growth stays geometric.
        let capacity = max(need + need / 8, 2 * timestamps.capacity)
        timestamps.reserveCapacity(capacity)
        close.reserveCapacity(capacity)
        if hasOHL {
            open.reserveCapacity(capacity)
            high.reserveCapacity(capacity)
            low.reserveCapacity(capacity)
        }
        if hasVolume { volume.reserveCapacity(capacity) }
        if hasAdjusted { adjusted.reserveCapacity(capacity) }
    }

    /// Appends the staged rows to the columns.
    @inline(never)
    private mutating func flush() {
        let n = staged.count
        guard n > 0 else { return }
        let block = staged
        func column(_ k: Int) -> UnsafeBufferPointer<Double> {
            UnsafeBufferPointer(start: block.values + k * StagedRows.capacity, count: n)
        }
        timestamps.append(contentsOf: UnsafeBufferPointer(start: block.timestamps, count: n))
        close.append(contentsOf: column(3))
        if hasOHL {
            open.append(contentsOf: column(0))
            high.append(contentsOf: column(1))
            low.append(contentsOf: column(2))
        }
        if hasVolume { volume.append(contentsOf: column(4)) }
        if hasAdjusted { adjusted.append(contentsOf: column(5)) }
        block.count = 0
    }

    /// The series of the rows taken.
    mutating func build() -> OHLCVSeries {
        if !isKnownUniquelyReferenced(&staged) { staged = staged.copy() }
        flush()
        return OHLCVSeries(
            unchecked: timestamps, open: hasOHL ? open : close, high: hasOHL ? high : close, low: hasOHL ? low : close,
            close: close, volume: hasVolume ? volume : [Double](repeating: 0, count: close.count),
            adjustedClose: hasAdjusted ? adjusted : nil, symbols: hasSymbol ? symbols : nil)
    }
}

/// A block of staged rows: timestamps, and open, high, low, close, volume and adjusted close in
/// six columns of ``capacity`` values. Copied before a write when shared (copy on write), so
/// no two builders ever write the same block.
final class StagedRows: @unchecked Sendable {
    /// Rows a block holds.
    static let capacity = 512
    /// The timestamps.
    let timestamps: UnsafeMutablePointer<Int64>
    /// The six value columns, one after the other.
    let values: UnsafeMutablePointer<Double>
    /// Rows staged.
    var count = 0

    init() {
        timestamps = .allocate(capacity: Self.capacity)
        timestamps.initialize(repeating: 0, count: Self.capacity)
        values = .allocate(capacity: 6 * Self.capacity)
        values.initialize(repeating: 0, count: 6 * Self.capacity)
    }

    deinit {
        timestamps.deallocate()
        values.deallocate()
    }

    /// Stages a row; true when the block is then full.
    @inline(__always)
    func append(_ t: Int64, _ o: Double, _ h: Double, _ l: Double, _ c: Double, _ v: Double, _ a: Double) -> Bool {
        let i = count
        let capacity = Self.capacity
        timestamps[i] = t
        values[i] = o
        values[capacity + i] = h
        values[2 * capacity + i] = l
        values[3 * capacity + i] = c
        values[4 * capacity + i] = v
        values[5 * capacity + i] = a
        count = i + 1
        return i + 1 == capacity
    }

    /// A block with the same staged rows.
    func copy() -> StagedRows {
        let other = StagedRows()
        other.timestamps.update(from: timestamps, count: Self.capacity)
        other.values.update(from: values, count: 6 * Self.capacity)
        other.count = count
        return other
    }
}
