/// Correctly rounded decimal parsing, as the OHLCV CSV reader does it.
public enum CSVNumber {
    /// The value of `bytes` (a decimal or scientific number), or nil.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        DecimalParser.parse(bytes, 0, bytes.count)
    }
}
