/// A PostgreSQL array literal (`{1,2,NULL}`) of numbers or plain words, for binding a whole
/// column of values as one parameter (`unnest($1::float8[])`, an array column).
public struct SQLArray: SQLEncodable, Sendable {
    /// The literal.
    public let sqlText: String

    /// An array of integers (nil is NULL).
    public init(_ values: [Int64?]) {
        sqlText = Self.literal(values.map { $0.map { String($0) } })
    }

    /// An array of integers.
    public init(_ values: [Int64]) {
        sqlText = Self.literal(values.map { String($0) })
    }

    /// An array of doubles (nil is NULL; NaN and infinities as PostgreSQL spells them).
    public init(_ values: [Double?]) {
        sqlText = Self.literal(values.map { $0.map(\.sqlText) })
    }

    /// An array of doubles.
    public init(_ values: [Double]) {
        sqlText = Self.literal(values.map(\.sqlText))
    }

    /// An array of words made of letters, digits and `_` only (quoted otherwise).
    public init(words: [String]) {
        sqlText = Self.literal(words.map { "\"" + $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" })
    }

    private static func literal(_ items: [String?]) -> String {
        var text = "{"
        text.reserveCapacity(items.count * 12 + 2)
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            text += item ?? "NULL"
        }
        return text + "}"
    }

    /// The numbers of an array's text output (`{1,2.5,NULL}`); NULL is nil.
    public static func parseDoubles(_ text: String) -> [Double?] {
        elements(text).map { $0 == "NULL" ? nil : Double(sqlText: String($0)) }
    }

    /// The integers of an array's text output; NULL is nil.
    public static func parseIntegers(_ text: String) -> [Int64?] {
        elements(text).map { Int64($0) }
    }

    private static func elements(_ text: String) -> [Substring] {
        guard text.count >= 2 else { return [] }
        let inner = text.dropFirst().dropLast()
        return inner.isEmpty ? [] : inner.split(separator: ",", omittingEmptySubsequences: false)
    }
}
