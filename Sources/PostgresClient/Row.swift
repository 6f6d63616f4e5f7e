/// One result row, decoded by column name and type.
public struct Row: Sendable {
    let columns: [String: Int]
    let values: [String?]

    /// The value of `column` as `T`; throws when the column is missing, NULL or unparsable.
    public func decode<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw DatabaseError.decoding(column: column, reason: "is NULL")
        }
        return value
    }

    /// The value of `column` as `T`, or nil when NULL; throws when missing or unparsable.
    public func decodeIfPresent<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columns[column] else {
            throw DatabaseError.decoding(column: column, reason: "is not in the result")
        }
        guard let text = values[index] else { return nil }
        guard let value = T(sqlText: text) else {
            throw DatabaseError.decoding(column: column, reason: "does not parse as \(T.self)")
        }
        return value
    }
}
