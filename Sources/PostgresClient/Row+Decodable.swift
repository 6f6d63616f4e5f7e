extension Row {
    /// The row as a `Decodable` type whose stored properties are all ``SQLDecodable``: each
    /// from the column of its name in snake case (`createdAt` from `created_at`, `ownerID` from
    /// `owner_id`), an optional one nil when the column is NULL. A missing column, a NULL in a
    /// non-optional property or text that does not parse is a
    /// ``DatabaseError/decoding(column:reason:)``, as with ``decode(_:as:)``.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try T(from: RowDecoder(row: self))
    }

    /// The column of a property: `ownerID` → `owner_id`, `createdAt` → `created_at` (a run of
    /// capitals is one word).
    static func column(forProperty name: String) -> String {
        let characters = Array(name)
        var column = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0,
                !characters[index - 1].isUppercase || (index + 1 < characters.count && characters[index + 1].isLowercase)
            {
                column.append("_")
            }
            column.append(contentsOf: character.lowercased())
        }
        return column
    }
}

/// A `Decoder` over one row, keyed by column.
private struct RowDecoder: Decoder {
    let row: Row
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DatabaseError.decoding(column: "*", reason: "a row is not a list")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DatabaseError.decoding(column: "*", reason: "a row is not one value")
    }

    /// The row's columns, by property name. Every primitive `decode` goes through
    /// ``value(_:)``; the integer and float widths PostgreSQL has no column for are refused.
    struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: Row
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { row.columns.keys.compactMap { Key(stringValue: $0) } }

        /// Every property has a column: a missing one is an error (from ``decodeNil(forKey:)``), also for an optional.
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { try row.decodeIfPresent(Row.column(forProperty: key.stringValue), as: String.self) == nil }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw unsupported(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw unsupported(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw unsupported(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw unsupported(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw unsupported(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw unsupported(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw unsupported(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { throw unsupported(type, key) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let decodable = T.self as? any SQLDecodable.Type else { throw unsupported(type, key) }
            return try row.decode(Row.column(forProperty: key.stringValue), as: decodable) as! T
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw unsupported(type, key)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw unsupported([Any].self, key)
        }

        func superDecoder() throws -> any Decoder { RowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(row: row) }

        private func value<T: SQLDecodable>(_ key: Key) throws -> T {
            try row.decode(Row.column(forProperty: key.stringValue))
        }

        private func unsupported(_ type: Any.Type, _ key: Key) -> DatabaseError {
            .decoding(column: Row.column(forProperty: key.stringValue), reason: "has no column type for \(type)")
        }
    }
}
