/// A SQL statement whose interpolated values become bind parameters.
///
/// Literal segments are `StaticString`, so text built at run time can never become SQL:
/// `"SELECT * FROM users WHERE id = \(id)"` is `… WHERE id = $1` with `id` bound.
/// Identifiers that vary (a sort column) come from ``SQLFragment``, built from literals only.
public struct SQL: ExpressibleByStringInterpolation, Sendable {
    /// The statement text with `$n` placeholders.
    public private(set) var text: String
    /// The values bound to `$1…$n`, in text format (nil is NULL).
    public private(set) var binds: [String?]

    public init(stringLiteral value: StaticString) {
        text = value.description
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// Builds the text and binds.
    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        var text = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            text += literal.description
        }

        /// A value: becomes `$n`.
        public mutating func appendInterpolation<T: SQLEncodable>(_ value: T) {
            binds.append(value.sqlText)
            text += "$\(binds.count)"
        }

        /// An optional value: `$n` bound to NULL when nil.
        public mutating func appendInterpolation<T: SQLEncodable>(_ value: T?) {
            binds.append(value?.sqlText)
            text += "$\(binds.count)"
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

extension SQL {
    /// An `ILIKE` pattern that matches `text` anywhere, with `\`, `%` and `_` escaped so they
    /// match themselves; nil for nil (no filter).
    public static func containsPattern(_ text: String?) -> String? {
        text.map { "%" + $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%" }
    }
}
