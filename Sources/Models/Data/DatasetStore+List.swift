import PostgresClient

/// How a dataset list is ordered (`sort=row_count`, `sort=-created_at`…).
public typealias DatasetSort = ListSort<DatasetSortField>

/// What datasets sort by.
public enum DatasetSortField: String, SortField {
    /// By name, A to Z.
    case name
    /// Oldest first (the default is `-created_at`, newest first).
    case createdAt = "created_at"
    /// Fewest rows first.
    case rowCount = "row_count"

    public var column: SQLFragment {
        switch self {
        case .name: SQLFragment("lower(name)")
        case .createdAt: SQLFragment("created_at")
        case .rowCount: SQLFragment("row_count")
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
        let pattern = SQL.containsPattern(filter.search)
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
