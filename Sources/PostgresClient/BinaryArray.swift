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
        sqlBytes = Self.encodeDense(values, elementType: 20) { UInt64(bitPattern: $0.bigEndian) }
    }

    /// A `float8[]` (nil is NULL; NaN and infinities keep their bits).
    public init(_ values: [Double?]) {
        sqlBytes = Self.encode(values, elementType: 701) { $0.bitPattern.bigEndian }
    }

    /// A `float8[]`.
    public init(_ values: [Double]) {
        sqlBytes = Self.encodeDense(values, elementType: 701) { $0.bitPattern.bigEndian }
    }

    /// A `text[]` of UTF-8 strings (nil is NULL).
    public init(texts values: [[UInt8]?]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + values.reduce(0) { $0 + 4 + ($1?.count ?? 0) })
        Self.header(&bytes, count: values.count, hasNull: values.contains { $0 == nil }, elementType: 25)
        for value in values {
            guard let value else {
                Self.append(Int32(-1), to: &bytes)
                continue
            }
            Self.append(Int32(value.count), to: &bytes)
            bytes.append(contentsOf: value)
        }
        sqlBytes = bytes
    }

    /// The array of `values` without NULLs, 8 bytes each (the common case: a column of bars).
    private static func encodeDense<T>(_ values: [T], elementType: Int32, _ word: (T) -> UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + values.count * 12)
        header(&bytes, count: values.count, hasNull: false, elementType: elementType)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: values.count * 12))
        bytes.withUnsafeMutableBytes { raw in
            var offset = start
            for value in values {
                raw.storeBytes(of: Int32(8).bigEndian, toByteOffset: offset, as: Int32.self)
                raw.storeBytes(of: word(value), toByteOffset: offset + 4, as: UInt64.self)
                offset += 12
            }
        }
        return bytes
    }

    private static func header(_ bytes: inout [UInt8], count: Int, hasNull: Bool, elementType: Int32) {
        append(Int32(count == 0 ? 0 : 1), to: &bytes)  // dimensions (an empty array has none)
        append(Int32(hasNull ? 1 : 0), to: &bytes)
        append(elementType, to: &bytes)
        if count > 0 {
            append(Int32(count), to: &bytes)
            append(Int32(1), to: &bytes)  // lower bound
        }
    }

    private static func append<I: FixedWidthInteger>(_ value: I, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// The elements of a one-dimensional array in `array_send`'s format, each handed to `take`
    /// as its bytes (nil for NULL). Throws on anything else (more dimensions, a cut value).
    public static func elements(_ raw: UnsafeRawBufferPointer, column: String, _ take: (UnsafeRawBufferPointer?) throws -> Void) throws {
        func int32(_ offset: Int) throws -> Int32 {
            guard offset + 4 <= raw.count else { throw DatabaseError.decoding(column: column, reason: "has a cut array") }
            return Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        }
        let dimensions = try int32(0)
        guard dimensions <= 1 else { throw DatabaseError.decoding(column: column, reason: "has an array of \(dimensions) dimensions") }
        guard dimensions == 1 else { return }
        let count = Int(try int32(12))
        var offset = 20
        for _ in 0..<count {
            let length = Int(try int32(offset))
            offset += 4
            if length < 0 {
                try take(nil)
                continue
            }
            guard offset + length <= raw.count else { throw DatabaseError.decoding(column: column, reason: "has a cut array") }
            try take(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]))
            offset += length
        }
    }

    /// Appends the elements of a `bigint[]` (binary, no NULLs) to `out`.
    public static func appendIntegers(_ raw: UnsafeRawBufferPointer, column: String, to out: inout [Int64]) throws {
        try elements(raw, column: column) { value in
            guard let value, value.count == 8 else { throw DatabaseError.decoding(column: column, reason: "has a NULL or a value not of 8 bytes") }
            out.append(Int64(bigEndian: value.loadUnaligned(as: Int64.self)))
        }
    }

    /// Appends the elements of a `float8[]` (binary, no NULLs) to `out`.
    public static func appendDoubles(_ raw: UnsafeRawBufferPointer, column: String, to out: inout [Double]) throws {
        try elements(raw, column: column) { value in
            guard let value, value.count == 8 else { throw DatabaseError.decoding(column: column, reason: "has a NULL or a value not of 8 bytes") }
            out.append(Double(bitPattern: UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))))
        }
    }

    /// Appends the elements of a `text[]` (binary) to `out` (nil for NULL).
    public static func appendTexts(_ raw: UnsafeRawBufferPointer, column: String, to out: inout [String?]) throws {
        try elements(raw, column: column) { value in
            out.append(value.map { String(decoding: $0, as: UTF8.self) })
        }
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
