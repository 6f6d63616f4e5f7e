import CLibPQ
import Foundation

/// A result read column by column in PostgreSQL's binary format: `bigint`, `integer` and
/// `smallint` columns as `[Int64]`, `double precision` and `real` as `[Double]`, `timestamptz`
/// as dates, `bytea` as bytes and `text` as strings. Nothing is formatted by the server or parsed here (no
/// `float8out`/`strtod`, no `String` per value), so a series of 200,000 bars reads at the
/// speed of the scan.
public struct ResultColumns: Sendable {
    /// The rows in the result.
    public let rowCount: Int
    private let columns: [String: Column]

    enum Column: Sendable {
        case integers([Int64?])
        case doubles([Double?])
        case bytes([[UInt8]?])
        case text([String?])
        /// One-dimensional arrays in `array_send`'s format.
        case arrays([[UInt8]?])
        /// Microseconds since 2000-01-01 00:00 UTC, PostgreSQL's own count.
        case times([Int64?])
    }

    /// Every value of `name`, an integer column (nil is NULL).
    public func optionalIntegers(_ name: String) throws -> [Int64?] {
        guard case .integers(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not an integer column") }
        return values
    }

    /// Every value of `name`, a floating-point column (nil is NULL).
    public func optionalDoubles(_ name: String) throws -> [Double?] {
        guard case .doubles(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a float column") }
        return values
    }

    /// Every value of `name`, a text column (nil is NULL).
    public func texts(_ name: String) throws -> [String?] {
        guard case .text(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a text column") }
        return values
    }

    /// Every value of `name`, a `timestamptz` column (nil is NULL), as the text result's
    /// ``Foundation/Date/init(sqlText:)`` reads it for whole seconds: the seconds since 1970
    /// plus the fraction. `infinity` and `-infinity` are `distantFuture` and `distantPast`.
    public func dates(_ name: String) throws -> [Date?] {
        guard case .times(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a timestamptz column") }
        return values.map { value in
            guard let value else { return nil }
            if value == Int64.max { return .distantFuture }
            if value == Int64.min { return .distantPast }
            let (whole, micros) = value.quotientAndRemainder(dividingBy: 1_000_000)
            let seconds = micros < 0 ? whole - 1 : whole
            let fraction = micros < 0 ? micros + 1_000_000 : micros
            return Date(timeIntervalSince1970: Double(seconds + 946_684_800) + Double(fraction) / 1_000_000)
        }
    }

    /// Every value of `name`, a number column without NULLs.
    public func integers(_ name: String) throws -> [Int64] {
        guard case .integers(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not an integer column") }
        return try values.map { try $0.unwrap(name) }
    }

    /// Every value of `name`, a floating-point column without NULLs.
    public func doubles(_ name: String) throws -> [Double] {
        guard case .doubles(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a float column") }
        return try values.map { try $0.unwrap(name) }
    }

    /// The bytes of `name` (a `bytea` column) in `row`, nil when NULL.
    public func bytes(_ name: String, row: Int) throws -> [UInt8]? {
        guard case .bytes(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a bytea column") }
        return values[row]
    }

    /// The text of `name` in `row`, nil when NULL.
    public func text(_ name: String, row: Int) throws -> String? {
        guard case .text(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not a text column") }
        return values[row]
    }

    /// The bytes of `name` (an array column) in `row` in `array_send`'s format (decode them
    /// with ``BinaryArray``), nil when NULL.
    public func array(_ name: String, row: Int) throws -> [UInt8]? {
        guard case .arrays(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not an array column") }
        return values[row]
    }

    /// Every element of `name` (a `bigint[]` column without NULLs) over all rows, in row order.
    public func concatenatedIntegers(_ name: String) throws -> [Int64] { try concatenated(name, BinaryArray.appendIntegers) }

    /// Every element of `name` (a `float8[]` column without NULLs) over all rows, in row order.
    public func concatenatedDoubles(_ name: String) throws -> [Double] { try concatenated(name, BinaryArray.appendDoubles) }

    /// The elements of array column `name` over all rows, each row's decoded by `append`.
    private func concatenated<Element>(
        _ name: String, _ append: (UnsafeRawBufferPointer, String, inout [Element]) throws -> Void
    ) throws -> [Element] {
        guard case .arrays(let values) = try column(name) else { throw DatabaseError.decoding(column: name, reason: "is not an array column") }
        var out: [Element] = []
        // A one-dimensional array of n 8-byte elements takes 20 + 12·n bytes.
        out.reserveCapacity(values.reduce(0) { $0 + max(0, (($1?.count ?? 0) - 20) / 12) })
        for value in values {
            guard let value else { throw DatabaseError.decoding(column: name, reason: "is NULL") }
            try value.withUnsafeBytes { try append($0, name, &out) }
        }
        return out
    }

    private func column(_ name: String) throws -> Column {
        guard let column = columns[name] else { throw DatabaseError.decoding(column: name, reason: "is not in the result") }
        return column
    }

    /// Decodes `result` (binary format).
    init(result: OpaquePointer) throws {
        let count = Int(PQntuples(result))
        rowCount = count
        var columns: [String: Column] = [:]
        for c in 0..<PQnfields(result) {
            let name = String(cString: PQfname(result, c))
            let type = PQftype(result, c)
            func raw(_ row: Int) -> UnsafeRawBufferPointer? {
                if PQgetisnull(result, Int32(row), c) == 1 { return nil }
                let length = Int(PQgetlength(result, Int32(row), c))
                return UnsafeRawBufferPointer(start: PQgetvalue(result, Int32(row), c), count: length)
            }
            /// Each row's value, read by `decode` from exactly `width` bytes (nil for NULL).
            func fixed<T>(_ width: Int, _ decode: (UnsafeRawBufferPointer) -> T) throws -> [T?] {
                var values = [T?]()
                values.reserveCapacity(count)
                for row in 0..<count {
                    guard let bytes = raw(row) else {
                        values.append(nil)
                        continue
                    }
                    guard bytes.count == width else { throw DatabaseError.decoding(column: name, reason: "has a value of \(bytes.count) bytes") }
                    values.append(decode(bytes))
                }
                return values
            }
            switch type {
            case 20:  // int8
                columns[name] = .integers(try fixed(8) { Int64(bigEndian: $0.loadUnaligned(as: Int64.self)) })
            case 23:  // int4
                columns[name] = .integers(try fixed(4) { Int64(Int32(bigEndian: $0.loadUnaligned(as: Int32.self))) })
            case 21:  // int2
                columns[name] = .integers(try fixed(2) { Int64(Int16(bigEndian: $0.loadUnaligned(as: Int16.self))) })
            case 701:  // float8
                columns[name] = .doubles(try fixed(8) { Double(bitPattern: UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self))) })
            case 700:  // float4
                columns[name] = .doubles(try fixed(4) { Double(Float(bitPattern: UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)))) })
            case 1184, 1114:  // timestamptz, timestamp: int8 microseconds since 2000-01-01
                columns[name] = .times(try fixed(8) { Int64(bigEndian: $0.loadUnaligned(as: Int64.self)) })
            case 17:  // bytea
                columns[name] = .bytes((0..<count).map { raw($0).map { Array($0) } })
            case 25, 1043, 19:  // text, varchar, name: UTF-8 bytes
                columns[name] = .text((0..<count).map { raw($0).map { String(decoding: $0, as: UTF8.self) } })
            case 1016, 1022, 1009, 1007:  // int8[], float8[], text[], int4[]
                columns[name] = .arrays((0..<count).map { raw($0).map { Array($0) } })
            default:
                throw DatabaseError.decoding(column: name, reason: "has type \(type), which binary results do not read")
            }
        }
        self.columns = columns
    }
}

extension Optional {
    fileprivate func unwrap(_ column: String) throws -> Wrapped {
        guard let self else { throw DatabaseError.decoding(column: column, reason: "is NULL") }
        return self
    }
}
