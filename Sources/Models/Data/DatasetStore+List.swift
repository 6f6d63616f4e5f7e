import PostgresClient

/// How a dataset list is ordered: each case is a fixed SQL fragment.
public enum DatasetSort: String, CaseIterable, Sendable {
    /// By name, A to Z (`-name` Z to A).
    case name
    case nameDescending = "-name"
    /// Oldest first (`-created_at`, the default, newest first).
    case createdAt = "created_at"
    case createdAtDescending = "-created_at"
    /// Fewest rows first (`-row_count` most first).
    case rowCount = "row_count"
    case rowCountDescending = "-row_count"

    var fragment: SQLFragment {
        switch self {
        case .name: return SQLFragment("lower(name), id")
        case .nameDescending: return SQLFragment("lower(name) DESC, id DESC")
        case .createdAt: return SQLFragment("created_at, id")
        case .createdAtDescending: return SQLFragment("created_at DESC, id DESC")
        case .rowCount: return SQLFragment("row_count, id")
        case .rowCountDescending: return SQLFragment("row_count DESC, id DESC")
        }
    }
}

/// What a dataset list is filtered by.
public struct DatasetFilter: Sendable {
    /// Part of the name or description, case-insensitive.
    public var search: String?
    /// Tags the dataset must all have.
    public var tags: [String]
    /// A symbol the dataset must hold.
    public var symbol: String?

    /// A filter.
    public init(search: String? = nil, tags: [String] = [], symbol: String? = nil) {
        self.search = search
        self.tags = tags
        self.symbol = symbol
    }
}

extension DatasetStore {
    /// One page of `owner`'s datasets (nil: everyone's) matching `filter`, and how many match in all.
    public func list(owner: Int64?, filter: DatasetFilter, sort: DatasetSort, limit: Int, offset: Int) throws -> (items: [Dataset], total: Int) {
        let pattern = filter.search.map { "%" + $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%" }
        let tags = try Self.json(filter.tags)
        let symbol = try filter.symbol.map { try Self.json([["symbol": $0]]) }
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: Self.selection), count(*) OVER () AS total FROM datasets
            WHERE (\(owner)::bigint IS NULL OR owner_id = \(owner))
              AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
              AND tags @> ARRAY(SELECT jsonb_array_elements_text(\(tags)::jsonb))
              AND (\(symbol)::jsonb IS NULL OR summary -> 'symbols' @> \(symbol)::jsonb)
            ORDER BY \(unsafeFragment: sort.fragment) LIMIT \(limit) OFFSET \(offset)
            """)
        var total = try rows.first?.decode("total", as: Int.self) ?? 0
        if rows.isEmpty && offset > 0 {
            total =
                try database.query(
                    """
                    SELECT count(*)::bigint AS total FROM datasets WHERE (\(owner)::bigint IS NULL OR owner_id = \(owner))
                      AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
                      AND tags @> ARRAY(SELECT jsonb_array_elements_text(\(tags)::jsonb))
                      AND (\(symbol)::jsonb IS NULL OR summary -> 'symbols' @> \(symbol)::jsonb)
                    """
                ).first?.decode("total") ?? 0
        }
        return (try rows.map(Self.dataset(from:)), total)
    }
}
