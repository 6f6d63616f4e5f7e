import PostgresClient

/// A column a list may be sorted by (an enum of a resource's sortable fields).
public protocol SortField: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// The `ORDER BY` expression, ascending, without the `id` tie-break: fixed SQL text.
    var column: SQLFragment { get }
    /// Whether rows without a value come last in both directions.
    var nullsLast: Bool { get }
}

extension SortField {
    /// By default NULLs sort as PostgreSQL sorts them.
    public var nullsLast: Bool { false }
}

/// A list's order, as `sort` names it: a field ascending (`name`) or descending (`-name`),
/// ties broken by id in the same direction so paging is stable. Every value is fixed SQL text.
public struct ListSort<Field: SortField>: RawRepresentable, CaseIterable, Hashable, Sendable {
    /// The field.
    public var field: Field
    /// Whether the order is reversed.
    public var descending: Bool

    /// `field` ascending, or descending.
    public init(_ field: Field, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// `name` or `-name`; nil for anything else.
    public init?(rawValue: String) {
        let descending = rawValue.hasPrefix("-")
        guard let field = Field(rawValue: descending ? String(rawValue.dropFirst()) : rawValue) else { return nil }
        self.init(field, descending: descending)
    }

    /// `name` or `-name`.
    public var rawValue: String { (descending ? "-" : "") + field.rawValue }

    /// Every field ascending then descending, in the fields' order.
    public static var allCases: [ListSort] { Field.allCases.flatMap { [ListSort($0), ListSort($0, descending: true)] } }

    /// The `ORDER BY` list.
    var fragment: SQLFragment {
        field.column + (descending ? SQLFragment(" DESC") : SQLFragment("")) + (field.nullsLast ? SQLFragment(" NULLS LAST") : SQLFragment(""))
            + (descending ? SQLFragment(", id DESC") : SQLFragment(", id"))
    }
}
