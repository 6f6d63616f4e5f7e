/// A column of numbers stored in one `bytea`: each value as 8 big-endian bytes, the order of
/// PostgreSQL's own `int8send`/`float8send`, so SQL can build and take apart the same bytes
/// (`string_agg(float8send(v), '')`, `get_byte`). Bound as bytea's hex input; read back from
/// a binary result (``ResultColumns/bytes(_:row:)``) without any number formatting.
public struct PackedColumn: SQLEncodable, Sendable {
    /// The `\x…` hex input of the bytes.
    public let sqlText: String

    /// Packs integers.
    public init(_ values: [Int64]) {
        sqlText = Self.hex(values.count) { values[$0].bigEndian }
    }

    /// Packs doubles (NaN and infinities keep their bits).
    public init(_ values: [Double]) {
        sqlText = Self.hex(values.count) { values[$0].bitPattern.bigEndian }
    }

    private static func hex<T: FixedWidthInteger>(_ count: Int, _ value: (Int) -> T) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 2 + count * 16) { buffer in
            buffer[0] = UInt8(ascii: "\\")
            buffer[1] = UInt8(ascii: "x")
            var k = 2
            for i in 0..<count {
                withUnsafeBytes(of: value(i)) { bytes in
                    for byte in bytes {
                        buffer[k] = digits[Int(byte >> 4)]
                        buffer[k + 1] = digits[Int(byte & 15)]
                        k += 2
                    }
                }
            }
            return k
        }
    }

    /// The integers packed in `bytes`.
    public static func integers(_ bytes: [UInt8], column: String) throws -> [Int64] {
        try unpack(bytes, column: column, as: Int64.self) { Int64(bigEndian: $0) }
    }

    /// The doubles packed in `bytes`.
    public static func doubles(_ bytes: [UInt8], column: String) throws -> [Double] {
        try unpack(bytes, column: column, as: UInt64.self) { Double(bitPattern: UInt64(bigEndian: $0)) }
    }

    private static func unpack<T, Word: FixedWidthInteger>(_ bytes: [UInt8], column: String, as word: Word.Type, _ make: (Word) -> T) throws -> [T] {
        guard bytes.count % 8 == 0 else { throw DatabaseError.decoding(column: column, reason: "is not a whole number of 8-byte values") }
        return bytes.withUnsafeBytes { raw in
            (0..<bytes.count / 8).map { make(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Word.self)) }
        }
    }
}
