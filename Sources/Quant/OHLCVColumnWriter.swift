internal import CByteScan

/// The series of a whole buffer in the usual layout (`date,open,high,low,close,volume`, any
/// header aliases, extra columns ignored), its rows written straight into the six columns:
/// no staging and no copy. ``OHLCVCSVReader/parse(_:)-([UInt8])`` uses it where it can; the
/// series, the issues and the errors are ``OHLCVSeriesBuilder``'s (tested).
///
/// The columns are made with `Array(unsafeUninitializedCapacity:)`, the whole read running
/// inside their closures, with room for one row per line feed: a bound that no file exceeds.
struct OHLCVColumnWriter: OHLCVRowSink {
    let timestamps: UnsafeMutablePointer<Int64>
    let open: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>, low: UnsafeMutablePointer<Double>
    let close: UnsafeMutablePointer<Double>, volume: UnsafeMutablePointer<Double>
    /// The rows the columns have room for.
    let capacity: Int
    /// Rows written.
    private(set) var count = 0
    /// Whether a row found no room (then nothing past `capacity` was written, and the caller
    /// reads the file the other way).
    private(set) var overflowed = false
    private var lastTimestamp: Int64 = .min

    /// A writer into columns with room for `capacity` rows each.
    init(
        timestamps: UnsafeMutablePointer<Int64>, open: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>,
        low: UnsafeMutablePointer<Double>, close: UnsafeMutablePointer<Double>, volume: UnsafeMutablePointer<Double>, capacity: Int
    ) {
        (self.timestamps, self.open, self.high, self.low, self.close, self.volume) = (timestamps, open, high, low, close, volume)
        self.capacity = capacity
    }

    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {}

    /// The series takes values only.
    static var readsNumberFields: Bool { false }

    @inline(__always)
    mutating func take(_ row: OHLCVRow) -> String? {
        let ts = row.timestamp
        if let refusal = OHLCVSeriesBuilder.refusal(ts, after: lastTimestamp) { return refusal }
        lastTimestamp = ts
        let k = count
        guard k < capacity else {
            overflowed = true
            return nil
        }
        timestamps[k] = ts
        (open[k], high[k], low[k], close[k], volume[k]) = (row.open, row.high, row.low, row.close, row.volume)
        count = k &+ 1
        return nil
    }

    /// The series of the rows `body` of a file whose header `reader` has read, if the header is
    /// of the usual layout; nil sends the file to ``OHLCVSeriesBuilder``. Throws what
    /// ``OHLCVCSVReader`` throws for the file. The columns have room for at least `room` rows
    /// (for rows a caller appends later).
    static func series(of body: UnsafeBufferPointer<UInt8>, reader: OHLCVRowReader, room: Int = 0) throws(CSVError) -> OHLCVSeries? {
        let fields = (0..<reader.columns.count).compactMap(reader.field(ofColumn:))
        guard fields.count == 6, Set(fields) == [.date, .open, .high, .low, .close, .volume] else { return nil }
        var rows = reader
        var failure: CSVError?
        var overflowed = false
        let capacity = max(lineFeeds(in: body) + 1, room)
        var open: [Double] = []
        var high: [Double] = []
        var low: [Double] = []
        var close: [Double] = []
        var volume: [Double] = []
        // Each closure sets its column's count after the innermost has written the rows.
        var written = 0
        let timestamps = [Int64](unsafeUninitializedCapacity: capacity) { t, tn in
            open = [Double](unsafeUninitializedCapacity: capacity) { o, on in
                high = [Double](unsafeUninitializedCapacity: capacity) { h, hn in
                    low = [Double](unsafeUninitializedCapacity: capacity) { l, ln in
                        close = [Double](unsafeUninitializedCapacity: capacity) { c, cn in
                            volume = [Double](unsafeUninitializedCapacity: capacity) { v, vn in
                                var writer = OHLCVColumnWriter(
                                    timestamps: t.baseAddress!, open: o.baseAddress!, high: h.baseAddress!, low: l.baseAddress!,
                                    close: c.baseAddress!, volume: v.baseAddress!, capacity: capacity)
                                do throws(CSVError) {
                                    try rows.feed(body, into: &writer)
                                    try rows.finish(into: &writer)
                                } catch {
                                    failure = error
                                }
                                overflowed = writer.overflowed
                                written = writer.count
                                vn = written
                            }
                            cn = written
                        }
                        ln = written
                    }
                    hn = written
                }
                on = written
            }
            tn = written
        }
        if overflowed { return nil }
        if let failure { throw failure }
        if rows.badRowCount > 0 { throw .invalidRows(rows.issues, badRowCount: rows.badRowCount) }
        return OHLCVSeries(
            unchecked: timestamps, open: open, high: high, low: low, close: close, volume: volume, adjustedClose: nil, symbols: nil)
    }

    /// The line feeds in `b`.
    static func lineFeeds(in b: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = b.baseAddress else { return 0 }
        return tm_count_lines(base, b.count)
    }
}
