/// The numbers of one row of a price file as ``OHLCVRowReader`` reads its fields: both of its
/// paths (the fast lane and the general parser) fill one and hand the sink its row.
struct OHLCVRowValues {
    var timestamp: Int64 = 0
    var open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0
    var adjustedClose = Double.nan

    /// Stores `value` as the field of a column's role (3 open, 4 high, 5 low, 6 close, 7
    /// adjusted close, 8 volume).
    @inline(__always)
    mutating func set(_ value: Double, role: UInt8) {
        switch role {
        case 3: open = value
        case 4: high = value
        case 5: low = value
        case 6: close = value
        case 7: adjustedClose = value
        default: volume = value
        }
    }

    /// Whether a price of `role` (3...7) must be positive and a volume (8) not negative: the
    /// check every number field passes.
    @inline(__always)
    static func accepts(_ value: Double, role: UInt8) -> Bool {
        value.isFinite && (role == 8 ? value >= 0 : value > 0)
    }

    /// high ≥ max(open, close).
    var highIsConsistent: Bool { high >= max(open, close) }
    /// low ≤ min(open, close).
    var lowIsConsistent: Bool { low <= min(open, close) }

    /// The row for the sink; without open, high and low columns (`hasOHL` false) they equal the close.
    @inline(__always)
    func row(
        line: Int, hasOHL: Bool, bytes: UnsafeBufferPointer<UInt8>, fields: UnsafeBufferPointer<Range<Int>>,
        extras: UnsafeBufferPointer<Double>, symbolColumn: Int?
    ) -> OHLCVRow {
        OHLCVRow(
            line: line, timestamp: timestamp, open: hasOHL ? open : close, high: hasOHL ? high : close,
            low: hasOHL ? low : close, close: close, volume: volume, adjustedClose: adjustedClose, bytes: bytes,
            fields: fields, extras: extras, symbolColumn: symbolColumn)
    }
}
