/// Collects the rows ``OHLCVCSVReader`` reads into the columns of a series, refusing a row
/// whose time does not increase (per symbol in long format).
///
/// The rows are written in place into the arrays the series gets: each column is an array
/// allocated with room for the rows expected (``expect(rows:)``, from the bytes at hand; grown
/// by copying when a file has more), written through its base address, and cut to the rows
/// taken by ``build()``, without a copy. A copy of the builder shares those arrays, so every
/// entry point of its owner calls ``makeUnique()`` first (a copy can only be made between
/// two calls), and only one copy ever writes a given array.
struct OHLCVSeriesBuilder: OHLCVValuesSink {
    private var timestamps: [Int64] = [], symbols: [String] = []
    private var open: [Double] = [], high: [Double] = [], low: [Double] = [], close: [Double] = []
    private var volume: [Double] = [], adjusted: [Double] = []
    /// The columns' base addresses (the arrays above, `capacity` elements each).
    private var base = ColumnBases()
    /// Rows written, and rows the columns have room for.
    private var count = 0, capacity = 0
    /// Held by this builder and its copies: not uniquely held means the arrays are shared.
    private var owner = Owner()
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

    /// Gives this builder arrays of its own when a copy of it shares them (its owner calls
    /// this before anything that may write a row).
    mutating func makeUnique() {
        guard !isKnownUniquelyReferenced(&owner) else { return }
        owner = Owner()
        if capacity > 0 { reallocate(capacity) }
    }

    /// Writes a row in time order; for a file without symbols, small enough to inline into the
    /// row loop (the call and its row in memory cost about a tenth of the parse).
    @inline(__always)
    mutating func take(_ row: OHLCVRow) -> String? {
        guard !hasSymbol else { return takeWithSymbol(row) }
        let ts = row.timestamp
        if ts <= lastTimestamp { return ts == lastTimestamp ? "duplicate timestamp" : Self.outOfOrder }
        lastTimestamp = ts
        write(row)
        return nil
    }

    private static let outOfOrder = "timestamp out of order (earlier than the previous row)"

    /// `take` for a file in long format: the order is checked per symbol.
    @inline(never)
    private mutating func takeWithSymbol(_ row: OHLCVRow) -> String? {
        let ts = row.timestamp
        let symbol = String(decoding: row.symbol, as: UTF8.self)
        let previous = lastBySymbol[symbol] ?? .min
        if ts <= previous {
            let reason = ts == previous ? "duplicate timestamp" : Self.outOfOrder
            return reason + " for \(symbol)"
        }
        lastBySymbol[symbol] = ts
        symbols.append(symbol)
        write(row)
        return nil
    }

    /// Writes the row's numbers at the end of the columns.
    @inline(__always)
    private mutating func write(_ row: OHLCVRow) {
        if count == capacity { grow() }
        let i = count
        base.timestamps.unsafelyUnwrapped[i] = row.timestamp
        base.close.unsafelyUnwrapped[i] = row.close
        if hasOHL {
            base.open.unsafelyUnwrapped[i] = row.open
            base.high.unsafelyUnwrapped[i] = row.high
            base.low.unsafelyUnwrapped[i] = row.low
        }
        if hasVolume { base.volume.unsafelyUnwrapped[i] = row.volume }
        if hasAdjusted { base.adjusted.unsafelyUnwrapped[i] = row.adjustedClose }
        count = i + 1
    }

    /// Room for more rows when the columns are full: double (at least 1,024 rows).
    @inline(never)
    private mutating func grow() {
        reallocate(max(2 * capacity, 1024))
    }

    mutating func expect(rows: Int) {
        let need = count + rows
        guard need > capacity else { return }
        // An eighth more than the estimate, and at least double: growth stays geometric.
        reallocate(max(need + need / 8, 2 * capacity))
    }

    /// New columns of `newCapacity` rows holding the rows written so far.
    private mutating func reallocate(_ newCapacity: Int) {
        let n = count
        base.timestamps = Self.allocate(newCapacity, copying: n, of: &timestamps)
        base.close = Self.allocate(newCapacity, copying: n, of: &close)
        if hasOHL {
            base.open = Self.allocate(newCapacity, copying: n, of: &open)
            base.high = Self.allocate(newCapacity, copying: n, of: &high)
            base.low = Self.allocate(newCapacity, copying: n, of: &low)
        }
        if hasVolume { base.volume = Self.allocate(newCapacity, copying: n, of: &volume) }
        if hasAdjusted { base.adjusted = Self.allocate(newCapacity, copying: n, of: &adjusted) }
        capacity = newCapacity
    }

    /// Replaces `column` by an array of `capacity` elements whose first `n` are `column`'s
    /// and returns its base address. The elements past `n` are not written yet: the array
    /// counts them (plain numbers, nothing to initialise) until ``build()`` cuts them off.
    private static func allocate<T: BitwiseCopyable>(_ capacity: Int, copying n: Int, of column: inout [T]) -> UnsafeMutablePointer<T> {
        var address: UnsafeMutablePointer<T>?
        column = [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            address = buffer.baseAddress
            column.withUnsafeBufferPointer { old in
                if n > 0, let from = old.baseAddress { buffer.baseAddress?.initialize(from: from, count: n) }
            }
            initialized = capacity
        }
        return address.unsafelyUnwrapped
    }

    /// `column` cut to the rows written (no copy: the array is held only here).
    private func taken<T>(_ column: inout [T]) -> [T] {
        var result: [T] = []
        swap(&result, &column)
        if result.count > count { result.removeLast(result.count - count) }
        return result
    }

    /// The series of the rows taken; the builder is empty afterwards.
    mutating func build() -> OHLCVSeries {
        makeUnique()
        let close = taken(&self.close)
        let series = OHLCVSeries(
            unchecked: taken(&timestamps), open: hasOHL ? taken(&open) : close, high: hasOHL ? taken(&high) : close,
            low: hasOHL ? taken(&low) : close, close: close,
            volume: hasVolume ? taken(&volume) : [Double](repeating: 0, count: close.count),
            adjustedClose: hasAdjusted ? taken(&adjusted) : nil, symbols: hasSymbol ? symbols : nil)
        (base, count, capacity, symbols) = (ColumnBases(), 0, 0, [])
        return series
    }

    /// A token for copies of a builder to share.
    private final class Owner: Sendable {}
}

/// The base addresses of a builder's columns (nil for a column the file does not have).
/// Sendable: they point into arrays only the builder holding them writes.
private struct ColumnBases: @unchecked Sendable {
    var timestamps: UnsafeMutablePointer<Int64>?
    var open: UnsafeMutablePointer<Double>?, high: UnsafeMutablePointer<Double>?, low: UnsafeMutablePointer<Double>?
    var close: UnsafeMutablePointer<Double>?, volume: UnsafeMutablePointer<Double>?, adjusted: UnsafeMutablePointer<Double>?
}
