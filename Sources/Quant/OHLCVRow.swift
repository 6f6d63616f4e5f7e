/// One row of a price file that passed every check of ``OHLCVRowReader``, handed to its
/// ``OHLCVRowSink`` while the line's bytes are at hand.
public struct OHLCVRow {
    /// The 1-based line number in the file (the header is line 1).
    public let line: Int
    /// Seconds since the Unix epoch, UTC.
    public let timestamp: Int64
    /// Prices (equal to the close in a file without open, high and low) and volume (0 when absent).
    public let open: Double, high: Double, low: Double, close: Double, volume: Double
    /// The adjusted close (NaN when the file has none or the rules make it an extra column).
    public let adjustedClose: Double
    /// The bytes the fields are ranges of; valid only during the sink's call.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Each column's field in ``bytes``: trimmed, without its quotes (valid only during the
    /// sink's call).
    public let fields: UnsafeBufferPointer<Range<Int>>
    /// The values of the extra columns in column order (NaN for empty, `nan`, `na` or
    /// `null`), when the rules check extra columns; else empty (valid only during the call).
    public let extras: UnsafeBufferPointer<Double>
    /// The column of the symbol (long layout), or nil.
    public let symbolColumn: Int?

    /// The bytes of column `k`'s field.
    public func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[fields[k]])
    }

    /// The symbol's bytes (empty in a wide file).
    public var symbol: UnsafeBufferPointer<UInt8> {
        symbolColumn.map(field) ?? UnsafeBufferPointer(start: nil, count: 0)
    }
}

/// What a reader of price files does with what ``OHLCVRowReader`` checked: the backtest's
/// series builder and the upload's COPY writer.
public protocol OHLCVRowSink {
    /// The header was read (``OHLCVRowReader/columns`` is set); a sink with rules of its
    /// own (column names it can store) throws ``CSVError/badHeader(_:)``.
    mutating func begin(_ reader: OHLCVRowReader) throws(CSVError)
    /// A good row; a reason refuses it after all (reported at its date column).
    mutating func take(_ row: OHLCVRow) -> String?
    /// About `rows` more rows follow in the bytes at hand (an estimate from the first rows'
    /// length); a sink may make room for them at once. The default does nothing.
    mutating func expect(rows: Int)
    /// Whether the sink reads the number fields' text (``OHLCVRow/fields`` of the price and
    /// volume columns); one that reads their values only says false, and the reader then
    /// keeps those fields' ranges only where it needs them. The default is true.
    static var readsNumberFields: Bool { get }
}

extension OHLCVRowSink {
    /// Does nothing.
    public mutating func expect(rows: Int) {}
    /// True.
    public static var readsNumberFields: Bool { true }
}
