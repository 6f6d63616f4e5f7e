import Foundation
import PostgresClient

/// Strategies in PostgreSQL. Every method takes the caller's `owner`: an owner id, or nil for
/// an admin (every strategy). Another user's strategy is the same as none.
public final class StrategyStore: Sendable {
    let database: Database
    /// Pages of lists built for owners, valid while their list version is unchanged.
    let listCache = StrategyListCache()

    /// A store over `database`.
    public init(database: Database) {
        self.database = database
    }

    /// The columns every strategy query selects (JSON-typed ones as text).
    static let selection = SQLFragment(
        """
        id, owner_id, name, description, strategy_type, engine, kind, parameters::text AS parameters, config::text AS config, \
        trading::text AS trading, to_jsonb(tags)::text AS tags, category, status, performance::text AS performance, \
        created_at, updated_at, last_run_at, version
        """)

    /// JSON as stored in the jsonb columns (snake_case keys).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The reverse of ``encoder``.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// `value` as JSON text for a jsonb bind.
    static func json<T: Encodable>(_ value: T) throws -> JSONB {
        JSONB(json: String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Decodes a row of ``selection``.
    static func record(from row: Row) throws -> StrategyRecord {
        func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T? {
            guard let text = try row.decodeIfPresent(column, as: String.self) else { return nil }
            do {
                return try decoder.decode(T.self, from: Data(text.utf8))
            } catch {
                throw DatabaseError.decoding(column: column, reason: "is not the expected JSON")
            }
        }
        func enumeration<T: RawRepresentable>(_ column: String, as type: T.Type) throws -> T where T.RawValue == String {
            guard let value = T(rawValue: try row.decode(column, as: String.self)) else {
                throw DatabaseError.decoding(column: column, reason: "is not a known value")
            }
            return value
        }
        return StrategyRecord(
            id: try row.decode("id"), ownerId: try row.decode("owner_id"), name: try row.decode("name"),
            description: try row.decode("description"), strategyType: try enumeration("strategy_type", as: StrategyType.self),
            engine: try enumeration("engine", as: StrategyEngine.self), kind: try row.decodeIfPresent("kind"),
            parameters: try json("parameters", as: [String: Double].self) ?? [:],
            config: try json("config", as: TradeMasterConfig.self),
            trading: try json("trading", as: TradingDefaults.self) ?? TradingDefaults(),
            tags: try json("tags", as: [String].self) ?? [], category: try row.decodeIfPresent("category"),
            status: try enumeration("status", as: StrategyStatus.self),
            performance: try json("performance", as: StrategyPerformance.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            lastRunAt: try row.decodeIfPresent("last_run_at"), version: try row.decode("version"))
    }

    /// The strategy `id` in `scope` (an owner, or nil for every owner), or nil.
    public func find(id: Int64, owner scope: Int64?) throws -> StrategyRecord? {
        try database.query(
            """
            SELECT \(unsafeFragment: Self.selection) FROM strategies
            WHERE id = \(id) AND (\(scope)::bigint IS NULL OR owner_id = \(scope))
            """
        ).first.map(Self.record(from:))
    }

    /// Inserts `draft` for `owner` (status `draft` unless it says otherwise).
    public func insert(_ draft: StrategyDraft, owner: Int64) throws -> StrategyRecord {
        let parameters = try Self.json(draft.parameters)
        let config = try draft.config.map(Self.json)
        let trading = try Self.json(draft.trading)
        let tags = try Self.json(draft.tags)
        let status = (draft.status ?? .draft).rawValue
        do {
            let rows = try database.query(
                """
                INSERT INTO strategies (owner_id, name, description, strategy_type, engine, kind, parameters, config, trading, tags,
                                        category, status)
                VALUES (\(owner), \(draft.name), \(draft.description), \(draft.strategyType.rawValue), \(draft.engine.rawValue),
                        \(draft.kind), \(parameters)::jsonb, \(config)::jsonb, \(trading)::jsonb,
                        ARRAY(SELECT jsonb_array_elements_text(\(tags)::jsonb)), \(draft.category), \(status))
                RETURNING \(unsafeFragment: Self.selection)
                """)
            return try Self.record(from: rows[0])
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw StrategyRecordError.nameTaken
        }
    }

    /// Replaces the editable fields of strategy `id` in `scope` with `draft` (status only when
    /// the draft sets one); `expectedVersion` (from `If-Match`) must be current.
    public func update(id: Int64, owner scope: Int64?, with draft: StrategyDraft, expectedVersion: Int64?) throws -> StrategyRecord {
        let parameters = try Self.json(draft.parameters)
        let config = try draft.config.map(Self.json)
        let trading = try Self.json(draft.trading)
        let tags = try Self.json(draft.tags)
        return try StrategyRecordError.guarded(
            {
                try database.query(
                    """
                    UPDATE strategies SET name = \(draft.name), description = \(draft.description),
                        strategy_type = \(draft.strategyType.rawValue), engine = \(draft.engine.rawValue), kind = \(draft.kind),
                        parameters = \(parameters)::jsonb, config = \(config)::jsonb, trading = \(trading)::jsonb,
                        tags = ARRAY(SELECT jsonb_array_elements_text(\(tags)::jsonb)), category = \(draft.category),
                        status = coalesce(\(draft.status?.rawValue), status), version = version + 1, updated_at = now()
                    WHERE id = \(id) AND (\(scope)::bigint IS NULL OR owner_id = \(scope))
                      AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion))
                    RETURNING \(unsafeFragment: Self.selection)
                    """
                ).first.map(Self.record(from:))
            }, currentVersion: { try find(id: id, owner: scope)?.version })
    }

    /// Deletes strategy `id` (and its runs); `expectedVersion` (from `If-Match`) must be current.
    public func delete(id: Int64, owner scope: Int64?, expectedVersion: Int64?) throws {
        try StrategyRecordError.guarded(
            {
                let count = try database.execute(
                    """
                    DELETE FROM strategies WHERE id = \(id) AND (\(scope)::bigint IS NULL OR owner_id = \(scope))
                      AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion))
                    """)
                return count > 0 ? () : nil
            }, currentVersion: { try find(id: id, owner: scope)?.version })
    }

    /// A copy of `source` named `name`, owned by the same owner, as a `draft` without
    /// performance or runs.
    public func clone(_ source: StrategyRecord, name: String) throws -> StrategyRecord {
        var draft = StrategyDraft(source)
        draft.name = name
        draft.status = .draft
        return try insert(draft, owner: source.ownerId)
    }
}

extension StrategyStore {
    /// Whether strategy `id` has a queued or running run.
    public func hasLiveRuns(strategyID id: Int64) throws -> Bool {
        try database.query(
            """
            SELECT EXISTS (SELECT 1 FROM runs WHERE strategy_id = \(id) AND status IN ('queued', 'running')) AS live
            """
        ).first?.decode("live") ?? false
    }
}
