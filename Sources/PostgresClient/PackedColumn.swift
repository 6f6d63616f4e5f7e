/// A column of numbers stored in one `bytea`: each value as 8 big-endian bytes, the order of
/// PostgreSQL's own `int8send`/`float8send`, so SQL can build and take apart the same bytes
/// (`string_agg(float8send(v), '')`, `get_byte`). Bound as a binary parameter (the bytes
/// themselves: no hex to write here or for `byteain` to decode); read back from a binary
/// result (``ResultColumns/bytes(_:row:)``) without any number formatting.
public struct PackedColumn: SQLBinaryEncodable, Sendable {
    /// The packed bytes.
    public let sqlBytes: [UInt8]

    /// Packs integers.
    public init(_ values: [Int64]) {
        sqlBytes = Self.pack(values.count) { values[$0].bigEndian }
    }

    /// Packs doubles (NaN and infinities keep their bits).
    public init(_ values: [Double]) {
        sqlBytes = Self.pack(values.count) { values[$0].bitPattern.bigEndian }
    }

    private static func pack<T: FixedWidthInteger>(_ count: Int, _ value: (Int) -> T) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count * 8) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for i in 0..<count { raw.storeBytes(of: value(i), toByteOffset: i * 8, as: T.self) }
            initialized = count * 8
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
