/// A one-dimensional `bigint[]` or `float8[]` in PostgreSQL's binary array format (what
/// `array_recv` reads), for binding a whole column as one parameter without formatting a
/// number or parsing it in the server (`unnest(\(column)::float8[])`). The statement's cast
/// must name the same element type.
public struct BinaryArray: SQLBinaryEncodable, Sendable {
    /// The `array_recv` input.
    public let sqlBytes: [UInt8]

    /// A `bigint[]` (nil is NULL).
    public init(_ values: [Int64?]) {
        sqlBytes = Self.encode(values, elementType: 20) { $0.bigEndian }
    }

    /// A `bigint[]`.
    public init(_ values: [Int64]) {
        self.init(values.map(Optional.some))
    }

    /// A `float8[]` (nil is NULL; NaN and infinities keep their bits).
    public init(_ values: [Double?]) {
        sqlBytes = Self.encode(values, elementType: 701) { $0.bitPattern.bigEndian }
    }

    /// A `float8[]`.
    public init(_ values: [Double]) {
        self.init(values.map(Optional.some))
    }

    private static func encode<T, Word: FixedWidthInteger>(_ values: [T?], elementType: Int32, _ word: (T) -> Word) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + values.count * 12)
        func append<I: FixedWidthInteger>(_ value: I) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        let hasNull = values.contains { $0 == nil }
        append(Int32(values.isEmpty ? 0 : 1))  // dimensions (an empty array has none)
        append(Int32(hasNull ? 1 : 0))
        append(elementType)
        if !values.isEmpty {
            append(Int32(values.count))
            append(Int32(1))  // lower bound
        }
        for value in values {
            guard let value else {
                append(Int32(-1))
                continue
            }
            append(Int32(MemoryLayout<Word>.size))
            withUnsafeBytes(of: word(value)) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
