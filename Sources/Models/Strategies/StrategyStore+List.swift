import PostgresClient

/// How a strategy list is ordered (`sort=name`, `sort=-last_run_at`…).
public typealias StrategySort = ListSort<StrategySortField>

/// What strategies sort by.
public enum StrategySortField: String, SortField {
    /// By name, A to Z.
    case name
    /// Oldest first (the default is `-created_at`, newest first).
    case createdAt = "created_at"
    /// Least recently changed first.
    case updatedAt = "updated_at"
    /// Least recently run first; never-run strategies last in both directions.
    case lastRunAt = "last_run_at"

    public var nullsLast: Bool { self == .lastRunAt }

    public var column: SQLFragment {
        switch self {
        case .name: SQLFragment("lower(name)")
        case .createdAt: SQLFragment("created_at")
        case .updatedAt: SQLFragment("updated_at")
        case .lastRunAt: SQLFragment("last_run_at")
        }
    }
}

/// What a strategy list is filtered by.
public struct StrategyFilter: Hashable, Sendable {
    /// Only this type.
    public var strategyType: StrategyType?
    /// Only this status.
    public var status: StrategyStatus?
    /// Only this engine.
    public var engine: StrategyEngine?
    /// Only strategies with this tag.
    public var tag: String?
    /// Part of the name or description, case-insensitive.
    public var search: String?

    /// A filter.
    public init(
        strategyType: StrategyType? = nil, status: StrategyStatus? = nil, engine: StrategyEngine? = nil,
        tag: String? = nil, search: String? = nil
    ) {
        self.strategyType = strategyType
        self.status = status
        self.engine = engine
        self.tag = tag
        self.search = search
    }
}

extension StrategyFilter {
    /// The values the list queries bind: the search as an `ILIKE` pattern, the enums' raw values
    /// and the tag.
    var binds: (pattern: String?, type: String?, status: String?, engine: String?, tag: String?) {
        (SQL.containsPattern(search), strategyType?.rawValue, status?.rawValue, engine?.rawValue, tag)
    }
}

extension StrategyStore {
    /// One page of the strategies in `scope` (an owner, or nil for all) matching `filter`,
    /// and how many match in all.
    public func list(owner scope: Int64?, filter: StrategyFilter, sort: StrategySort, limit: Int, offset: Int) throws -> (
        items: [StrategyRecord], total: Int
    ) {
        let (pattern, type, status, engine, tag) = filter.binds
        let rows = try database.query(
            """
            SELECT \(unsafeFragment: Self.selection), count(*) OVER () AS total FROM strategies
            WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope))
              AND (\(type)::text IS NULL OR strategy_type = \(type)) AND (\(status)::text IS NULL OR status = \(status))
              AND (\(engine)::text IS NULL OR engine = \(engine)) AND (\(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text])
              AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
            ORDER BY \(unsafeFragment: sort.fragment) LIMIT \(limit) OFFSET \(offset)
            """)
        var total = try rows.first?.decode("total", as: Int.self) ?? 0
        if rows.isEmpty && offset > 0 {
            total =
                try database.query(
                    """
                    SELECT count(*)::bigint AS total FROM strategies
                    WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope))
                      AND (\(type)::text IS NULL OR strategy_type = \(type)) AND (\(status)::text IS NULL OR status = \(status))
                      AND (\(engine)::text IS NULL OR engine = \(engine)) AND (\(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text])
                      AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
                    """
                ).first?.decode("total") ?? 0
        }
        return (try rows.map(Self.record(from:)), total)
    }
}

extension StrategyStore {
    /// A strategy as the API's JSON, built by PostgreSQL: the same keys and values as
    /// `StrategyRecord`'s encoding (snake_case, RFC 3339 seconds with `Z`, absent nils).
    static let jsonObject = SQLFragment(
        """
        json_strip_nulls(json_build_object(
            'id', id, 'owner_id', owner_id, 'name', name, 'description', description, 'strategy_type', strategy_type,
            'engine', engine, 'kind', kind, 'parameters', parameters, 'config', config, 'trading', trading, 'tags', tags,
            'category', category, 'status', status, 'performance', performance,
            'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'last_run_at', to_char(last_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'version', version))
        """)

    /// Like ``list(scope:filter:sort:limit:offset:)``, with the page as one JSON array text
    /// built by PostgreSQL (nothing decoded or re-encoded here): the list route's fast path.
    /// An owner's pages are kept per process and reused while the owner's list version is
    /// unchanged (one primary-key lookup; see ``StrategyListCache``).
    public func listJSON(owner scope: Int64?, filter: StrategyFilter, sort: StrategySort, limit: Int, offset: Int) throws -> (
        items: String, total: Int
    ) {
        guard let owner = scope else {
            let page = try buildJSON(owner: nil, filter: filter, sort: sort, limit: limit, offset: offset)
            return (page.items, page.total)
        }
        let key = StrategyListCache.Key(owner: owner, filter: filter, sort: sort, limit: limit, offset: offset)
        let version: Int64 =
            try database.query(
                """
                SELECT coalesce((SELECT version FROM strategy_list_versions WHERE owner_id = \(owner)), 0) AS version
                """
            ).first?.decode("version") ?? 0
        if let cached = listCache.page(key, version: version) { return (cached.items, cached.total) }
        let page = try buildJSON(owner: owner, filter: filter, sort: sort, limit: limit, offset: offset)
        listCache.store(key, StrategyListCache.Entry(version: page.version, items: page.items, total: page.total))
        return (page.items, page.total)
    }

    /// One page as JSON, its total, and the owner's list version read in the same snapshot.
    func buildJSON(owner scope: Int64?, filter: StrategyFilter, sort: StrategySort, limit: Int, offset: Int) throws -> (
        items: String, total: Int, version: Int64
    ) {
        let (pattern, type, status, engine, tag) = filter.binds
        let rows = try database.query(
            """
            WITH matching AS MATERIALIZED (
                SELECT * FROM strategies
                WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope))
                  AND (\(type)::text IS NULL OR strategy_type = \(type)) AND (\(status)::text IS NULL OR status = \(status))
                  AND (\(engine)::text IS NULL OR engine = \(engine)) AND (\(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text])
                  AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))
                ORDER BY \(unsafeFragment: sort.fragment) LIMIT \(limit) OFFSET \(offset)
            )
            SELECT (SELECT count(*) FROM strategies
                    WHERE (\(scope)::bigint IS NULL OR owner_id = \(scope))
                      AND (\(type)::text IS NULL OR strategy_type = \(type)) AND (\(status)::text IS NULL OR status = \(status))
                      AND (\(engine)::text IS NULL OR engine = \(engine)) AND (\(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text])
                      AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR description ILIKE \(pattern))) AS total,
                   coalesce((SELECT version FROM strategy_list_versions WHERE owner_id = \(scope)), 0) AS version,
                   coalesce((SELECT json_agg(\(unsafeFragment: Self.jsonObject) ORDER BY \(unsafeFragment: sort.fragment)) FROM matching), '[]')::text AS items
            """)
        return (try rows[0].decode("items"), try rows[0].decode("total"), try rows[0].decode("version"))
    }
}
