/// One row of a binary `COPY … FROM STDIN (FORMAT binary)`: a field count, then each field as
/// its length and its value in the type's binary form (big-endian; −1 for NULL).
public struct CopyTuple {
    /// A row builder with no bytes yet.
    public init() {}

    /// The row's bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// The stream's start: signature, flags, header extension length.
    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The stream's end: a field count of −1.
    public static let trailer: [UInt8] = [0xFF, 0xFF]
    /// Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
    private static let postgresEpoch: Int64 = 946_684_800

    /// Starts a row of `fields` fields.
    public mutating func start(fields: Int16) {
        bytes.removeAll(keepingCapacity: true)
        word(fields)
    }

    /// An `integer` (NULL when nil).
    public mutating func append(_ value: Int32?) {
        guard let value else { return null() }
        word(Int32(4))
        word(value)
    }

    /// A `bigint`.
    public mutating func append(_ value: Int64) {
        word(Int32(8))
        word(value)
    }

    /// A `double precision` (NULL when nil), bit for bit.
    public mutating func append(_ value: Double?) {
        guard let value else { return null() }
        word(Int32(8))
        word(value.bitPattern)
    }

    /// A `text` (UTF-8).
    public mutating func append(text: String) {
        let utf8 = text.utf8
        word(Int32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A `timestamptz` from seconds since the Unix epoch (NULL when nil): microseconds since
    /// 2000-01-01, what `to_timestamp` of those whole seconds gives.
    public mutating func append(timestamp seconds: Int64?) {
        guard let seconds else { return null() }
        word(Int32(8))
        word((seconds - Self.postgresEpoch) * 1_000_000)
    }

    /// A field already in its binary form (an array's `sqlBytes`; NULL when nil).
    public mutating func append(bytes value: [UInt8]?) {
        guard let value else { return null() }
        word(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    private mutating func null() { word(Int32(-1)) }

    private mutating func word<I: FixedWidthInteger>(_ value: I) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
