import Foundation
import PostgresClient

/// Datasets and their bars in PostgreSQL. Every method takes the owner: another user's
/// dataset is the same as none (`nil` or ``DatasetError/notFound``); a nil owner (an
/// admin) reaches every dataset.
public final class DatasetStore: Sendable {
    let database: Database
    /// Whole series kept in this process (nil: every read goes to PostgreSQL).
    let cache: SeriesCache?

    /// A store over `database`, keeping whole series in `cache` if given.
    public init(database: Database, cache: SeriesCache? = nil) {
        self.database = database
        self.cache = cache
    }

    /// The columns every dataset query selects (JSON-typed ones as text).
    static let selection: SQLFragment = SQLFragment(
        """
        id, name, description, to_jsonb(tags)::text AS tags, timezone, layout, columns::text AS columns, row_count, size_bytes, \
        summary::text AS summary, quality::text AS quality, parent_id, created_at, updated_at, version
        """)

    /// Decodes a row of ``selection``.
    static func dataset(from row: Row) throws -> Dataset {
        func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
            do {
                return try Self.decoder.decode(T.self, from: Data(try row.decode(column, as: String.self).utf8))
            } catch let error as DatabaseError {
                throw error
            } catch {
                throw DatabaseError.decoding(column: column, reason: "is not the expected JSON")
            }
        }
        guard let layout = DatasetLayout(rawValue: try row.decode("layout", as: String.self)) else {
            throw DatabaseError.decoding(column: "layout", reason: "is not a layout")
        }
        return Dataset(
            id: try row.decode("id"), name: try row.decode("name"), description: try row.decode("description"),
            tags: try json("tags", as: [String].self), timezone: try row.decode("timezone"), layout: layout,
            columns: try json("columns", as: [DatasetColumn].self), rowCount: try row.decode("row_count"),
            sizeBytes: try row.decode("size_bytes"), summary: try json("summary", as: DatasetSummary.self),
            quality: try json("quality", as: DatasetQuality.self), parentId: try row.decodeIfPresent("parent_id"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }

    /// JSON as stored in the jsonb columns (snake_case keys, RFC 3339 dates).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// The reverse of ``encoder``.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// `value` as JSON text for a jsonb bind.
    static func json<T: Encodable>(_ value: T) throws -> JSONB {
        JSONB(json: String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// The dataset `id` of `owner` (nil: of anyone), or nil.
    public func find(id: Int64, owner: Int64?) throws -> Dataset? {
        try database.query(
            """
            SELECT \(unsafeFragment: Self.selection) FROM datasets WHERE id = \(id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
            """
        )
        .first.map(Self.dataset(from:))
    }

    /// Changes name, description and/or tags; `expectedVersion` (from `If-Match`) must be current.
    public func update(id: Int64, owner: Int64?, name: String?, description: String?, tags: [String]?, expectedVersion: Int64?) throws -> Dataset {
        let tagsJSON = try tags.map(Self.json)
        return try DatasetError.guarded(
            {
                try database.query(
                    """
                    UPDATE datasets SET name = coalesce(\(name), name), description = coalesce(\(description), description),
                        tags = CASE WHEN \(tagsJSON)::jsonb IS NULL THEN tags ELSE ARRAY(SELECT jsonb_array_elements_text(\(tagsJSON)::jsonb)) END,
                        version = version + 1, updated_at = now()
                    WHERE id = \(id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner))
                      AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion))
                    RETURNING \(unsafeFragment: Self.selection)
                    """
                ).first.map(Self.dataset(from:))
            }, currentVersion: { try find(id: id, owner: owner)?.version })
    }

    /// Deletes the dataset and its bars; `expectedVersion` (from `If-Match`) must be current.
    /// A dataset that strategy runs reference is ``DatasetError/inUse(runs:)`` unless `force`
    /// (then the runs keep their results and lose the reference). The dataset row is locked
    /// first, so a run cannot start using it between the check and the delete.
    public func delete(id: Int64, owner: Int64?, expectedVersion: Int64?, force: Bool = false) throws {
        try database.transaction { tx in
            let rows = try tx.query(
                """
                SELECT version FROM datasets WHERE id = \(id) AND (\(owner)::bigint IS NULL OR owner_id = \(owner)) FOR UPDATE
                """)
            guard let row = rows.first else { throw DatasetError.notFound }
            let version: Int64 = try row.decode("version")
            if let expectedVersion, expectedVersion != version { throw DatasetError.stale(current: version) }
            let runs: Int = try tx.query("SELECT count(*)::bigint AS n FROM runs WHERE dataset_id = \(id)")[0].decode("n")
            if runs > 0 && !force { throw DatasetError.inUse(runs: runs) }
            _ = try tx.execute("DELETE FROM datasets WHERE id = \(id)")
        }
    }

    /// Bytes of all datasets of `owner` (what the quota counts).
    public func usedBytes(owner: Int64) throws -> Int64 {
        try database.query("SELECT coalesce(sum(size_bytes), 0)::bigint AS used FROM datasets WHERE owner_id = \(owner)")
            .first?.decode("used") ?? 0
    }
}
