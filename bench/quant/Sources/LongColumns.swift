import Quant

/// The rows of a long-layout price file (`date,tic,open,high,low,close,volume`) as the upload
/// reads them, through `OHLCVRowReader` with the dataset rules, kept as columns with each
/// symbol's index: what `pandas.read_csv` builds from the same file.
struct LongColumns: OHLCVRowSink {
    var timestamps: [Int64] = [], symbolIndex: [Int32] = []
    var open: [Double] = [], high: [Double] = [], low: [Double] = [], close: [Double] = [], volume: [Double] = []
    /// The distinct symbols, in order of first appearance.
    var symbols: [[UInt8]] = []
    private var index: [[UInt8]: Int32] = [:]
    private var last: Int32 = -1

    /// Reads a whole file; throws on the first bad row.
    static func read(_ bytes: [UInt8]) throws(CSVError) -> LongColumns {
        var reader = OHLCVRowReader(rules: .dataset)
        var sink = LongColumns()
        try bytes.withUnsafeBufferPointer { (b) throws(CSVError) in try reader.feed(b, into: &sink) }
        try reader.finish(into: &sink)
        guard reader.badRowCount == 0 else { throw .invalidRows(reader.issues, badRowCount: reader.badRowCount) }
        return sink
    }

    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError) {}

    mutating func take(_ row: OHLCVRow) -> String? {
        timestamps.append(row.timestamp)
        symbolIndex.append(symbol(row.symbol))
        open.append(row.open)
        high.append(row.high)
        low.append(row.low)
        close.append(row.close)
        volume.append(row.volume)
        return nil
    }

    /// The index of `bytes`: the symbol after the last one's first (files sorted by time, then
    /// symbol, cycle through them), then the dictionary.
    private mutating func symbol(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if !symbols.isEmpty {
            let next = last + 1 == Int32(symbols.count) ? 0 : last + 1
            if symbols[Int(next)].elementsEqual(bytes) {
                last = next
                return next
            }
        }
        let key = Array(bytes)
        if let found = index[key] {
            last = found
            return found
        }
        let added = Int32(symbols.count)
        symbols.append(key)
        index[key] = added
        last = added
        return added
    }

    mutating func expect(rows: Int) {
        let need = timestamps.count + rows
        guard need > timestamps.capacity else { return }
        // An eighth more than the estimate, and at least double: growth stays geometric.
        let capacity = max(need + need / 8, 2 * timestamps.capacity)
        timestamps.reserveCapacity(capacity)
        symbolIndex.reserveCapacity(capacity)
        open.reserveCapacity(capacity)
        high.reserveCapacity(capacity)
        low.reserveCapacity(capacity)
        close.reserveCapacity(capacity)
        volume.reserveCapacity(capacity)
    }
}
