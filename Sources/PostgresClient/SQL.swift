/// A SQL statement whose interpolated values become bind parameters.
///
/// Literal segments are `StaticString`, so text built at run time can never become SQL:
/// `"SELECT * FROM users WHERE id = \(id)"` is `… WHERE id = $1` with `id` bound.
/// Identifiers that vary (a sort column) come from ``SQLFragment``, built from literals only.
public struct SQL: ExpressibleByStringInterpolation, Sendable {
    /// The statement text with `$n` placeholders.
    public private(set) var text: String
    /// The values bound to `$1…$n`, each in text or binary format.
    public private(set) var parameters: [SQLParameter]

    /// The values bound to `$1…$n` as text (nil is NULL; a binary value as bytea's hex input).
    public var binds: [String?] { parameters.map(\.text) }

    public init(stringLiteral value: StaticString) {
        text = value.description
        parameters = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        parameters = stringInterpolation.parameters
    }

    /// Builds the text and binds.
    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var text = ""
        var parameters: [SQLParameter] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            text += literal.description
        }

        /// A value: becomes `$n`.
        public mutating func appendInterpolation<T: SQLEncodable>(_ value: T) {
            append(.text(value.sqlText))
        }

        /// An optional value: `$n` bound to NULL when nil.
        public mutating func appendInterpolation<T: SQLEncodable>(_ value: T?) {
            append(.text(value?.sqlText))
        }

        /// A value sent in PostgreSQL's binary format: `$n`, whose type the statement must
        /// give with a cast (`\(packed)::bytea`), since the server reads the bytes with that
        /// type's receive function.
        public mutating func appendInterpolation<T: SQLBinaryEncodable>(_ value: T) {
            append(.binary(value.sqlBytes))
        }

        private mutating func append(_ parameter: SQLParameter) {
            parameters.append(parameter)
            text += "$\(parameters.count)"
        }

        /// A fixed fragment (a column or direction chosen from an enum).
        public mutating func appendInterpolation(unsafeFragment fragment: SQLFragment) {
            text += fragment.text
        }
    }
}

/// A piece of SQL text made only of string literals, for identifiers chosen from an enum.
public struct SQLFragment: Sendable {
    let text: String

    /// A fragment from a literal.
    public init(_ literal: StaticString) {
        text = literal.description
    }

    private init(text: String) {
        self.text = text
    }

    /// Two fragments one after the other: still only literal text.
    public static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment(text: lhs.text + rhs.text)
    }
}

/// One bound value: text (nil is NULL) or the bytes of PostgreSQL's binary format.
public enum SQLParameter: Sendable, Equatable {
    /// Text format, as the type's input function reads it.
    case text(String?)
    /// Binary format, as the type's receive function reads it.
    case binary([UInt8])

    /// The text form (a binary value as bytea's hex input, for logs and tests).
    public var text: String? {
        switch self {
        case .text(let value): value
        case .binary(let bytes): bytes.sqlText
        }
    }
}

/// A value bound in PostgreSQL's binary format (no text to format or parse).
public protocol SQLBinaryEncodable {
    /// The bytes the parameter type's receive function reads.
    var sqlBytes: [UInt8] { get }
}

extension SQL {
    /// An `ILIKE` pattern that matches `text` anywhere, with `\`, `%` and `_` escaped so they
    /// match themselves; nil for nil (no filter).
    public static func containsPattern(_ text: String?) -> String? {
        text.map { "%" + $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%" }
    }
}
