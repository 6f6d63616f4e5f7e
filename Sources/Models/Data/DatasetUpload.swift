import Foundation
import Quant

/// One upload in progress: a transaction on this thread's connection with a temporary
/// staging table that the file's rows are COPYed into as they are parsed. ``finish(_:)``
/// checks, sorts and moves them into `bars` with the dataset row and its summary, and
/// commits; any failure rolls everything back (the staging table is dropped with the
/// transaction), so a refused or interrupted upload leaves nothing behind.
public final class DatasetUpload {
    private let connection: PostgresConnection
    private let owner: Int64
    private let limits: UploadLimits
    private let usedBytes: Int64
    private var parser: BarFileParser
    private var writer: CopyWriter?
    private var closed = false

    /// Starts an upload for `owner`.
    public init(store: DatasetStore, owner: Int64, limits: UploadLimits) throws {
        self.owner = owner
        self.limits = limits
        usedBytes = try store.usedBytes(owner: owner)
        guard usedBytes < limits.quotaBytes else { throw DatasetError.quotaExceeded(usedBytes: usedBytes, quotaBytes: limits.quotaBytes) }
        parser = BarFileParser()
        connection = try store.database.connection()
        try connection.execute("BEGIN")
        do {
            try connection.execute("""
                CREATE TEMP TABLE upload_stage (line bigint NOT NULL, symbol text NOT NULL, ts bigint NOT NULL, open float8 NOT NULL,
                    high float8 NOT NULL, low float8 NOT NULL, close float8 NOT NULL, volume float8 NOT NULL, extra float8[]) ON COMMIT DROP
                """)
            writer = try connection.beginCopyIn("COPY upload_stage FROM STDIN")
        } catch {
            abort()
            throw Self.translate(error)
        }
    }

    /// Parses the next piece of the file and streams its good rows into the staging table.
    public func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let writer else { return }
        do {
            try parser.feed(bytes) { try writer.write($0) }
            try checkLimits()
        } catch {
            abort()
            throw Self.translate(error)
        }
    }

    private func checkLimits() throws {
        if parser.rowCount + parser.errorCount > limits.maximumRows { throw DatasetError.tooManyRows(limit: limits.maximumRows) }
        if usedBytes + Int64(parser.byteCount) > limits.quotaBytes {
            throw DatasetError.quotaExceeded(usedBytes: usedBytes, quotaBytes: limits.quotaBytes)
        }
    }

    /// Ends the file and stores the dataset; throws (after rolling back) when the file is refused.
    public func finish(_ draft: DatasetDraft) throws -> Dataset {
        guard let writer, !closed else { throw DatasetError.badFile("The upload was already ended.") }
        do {
            try parser.finish { try writer.write($0) }
            try checkLimits()
            try writer.finish()
            self.writer = nil
            let dataset = try store(draft)
            try connection.execute("COMMIT")
            closed = true
            return dataset
        } catch {
            abort()
            throw Self.translate(error)
        }
    }

    /// Discards everything (safe to call more than once).
    public func abort() {
        guard !closed else { return }
        closed = true
        writer?.abort()
        writer = nil
        _ = try? connection.execute("ROLLBACK")
    }

    private static func translate(_ error: any Error) -> any Error {
        if case DatabaseError.query(let state, _, _) = error, state == "53100" { return DatasetError.diskFull }
        return error
    }

    /// Duplicate (symbol, time) rows after the first of each, as issues, and their count.
    private func duplicates(symbol wide: String) throws -> (issues: [CSVIssue], count: Int) {
        let rows = try connection.query("""
            SELECT line, symbol, ts, count(*) OVER () AS total FROM (
                SELECT line, symbol, ts, row_number() OVER (PARTITION BY symbol, ts ORDER BY line) AS k FROM upload_stage) d
            WHERE k > 1 ORDER BY line LIMIT 100
            """)
        let dateColumn = parser.columns.first { $0.role == .date }?.name ?? "date"
        let issues = try rows.map { row in
            CSVIssue(line: try row.decode("line"), column: dateColumn, value: TimestampFormatter.iso8601(try row.decode("ts")),
                     reason: "duplicate timestamp for \(Self.name(try row.decode("symbol"), wide: wide))")
        }
        return (issues, try rows.first?.decode("total") ?? 0)
    }

    private static func name(_ symbol: String, wide: String) -> String { symbol.isEmpty ? wide : symbol }

    private func store(_ draft: DatasetDraft) throws -> Dataset {
        if parser.errorCount > 0 {
            let (extra, count) = draft.dedupe == nil ? try duplicates(symbol: draft.symbol) : ([], 0)
            let issues = (parser.issues + extra).sorted { $0.line < $1.line }.prefix(100)
            throw DatasetError.invalidRows(Array(issues), count: parser.errorCount + count)
        }
        guard let layout = parser.layout else { throw DatasetError.badFile("The file has no header.") }
        let inserted: [Row]
        do {
            inserted = try connection.query("""
                INSERT INTO datasets (owner_id, name, description, tags, timezone, layout, columns, summary, quality, row_count, size_bytes,
                                      parent_id, steps)
                VALUES (\(owner), \(draft.name), \(draft.description), ARRAY(SELECT jsonb_array_elements_text(\(try DatasetStore.json(draft.tags))::jsonb)),
                        \(draft.timezone), \(layout.rawValue), \(try DatasetStore.json(parser.columns))::jsonb, '{}', '{}', 0, \(Int64(parser.byteCount)),
                        \(draft.parentID), \(draft.steps.map { JSONB(json: $0) })::jsonb)
                RETURNING id
                """)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DatasetError.nameTaken
        }
        let id: Int64 = try inserted[0].decode("id")
        try connection.execute("SAVEPOINT bars")
        do {
            switch draft.dedupe {
            case nil:
                try connection.execute("""
                    INSERT INTO bars (dataset_id, symbol, ts, open, high, low, close, volume, extra)
                    SELECT \(id), CASE WHEN symbol = '' THEN \(draft.symbol) ELSE symbol END, ts, open, high, low, close, volume, extra FROM upload_stage ORDER BY symbol, ts
                    """)
            case .first?, .last?:
                let order = draft.dedupe == .first ? SQLFragment("line") : SQLFragment("line DESC")
                try connection.execute("""
                    INSERT INTO bars (dataset_id, symbol, ts, open, high, low, close, volume, extra)
                    SELECT DISTINCT ON (symbol, ts) \(id), CASE WHEN symbol = '' THEN \(draft.symbol) ELSE symbol END, ts, open, high, low, close, volume, extra FROM upload_stage
                    ORDER BY symbol, ts, \(unsafeFragment: order)
                    """)
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            try connection.execute("ROLLBACK TO SAVEPOINT bars")
            let (issues, count) = try duplicates(symbol: draft.symbol)
            throw DatasetError.invalidRows(issues, count: count)
        }
        let extras = parser.columns.filter { $0.role == .extra }.map(\.name)
        let (summary, quality) = try DatasetAnalysis(connection: connection, datasetID: id, extraColumns: extras,
                                                     hasVolume: parser.columns.contains { $0.role == .volume }).run()
        let rows = try connection.query("""
            UPDATE datasets SET summary = \(try DatasetStore.json(summary))::jsonb, quality = \(try DatasetStore.json(quality))::jsonb,
                row_count = \(summary.rowCount)
            WHERE id = \(id) RETURNING \(unsafeFragment: DatasetStore.selection)
            """)
        return try DatasetStore.dataset(from: rows[0])
    }
}
