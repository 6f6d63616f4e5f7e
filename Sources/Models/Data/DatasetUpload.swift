import Foundation
import PostgresClient
import Quant

/// One upload in progress, in a transaction on this thread's tx.
///
/// Nothing reaches `bar_chunks` before the whole file is known good. When the draft is known
/// before the file (a raw body, or a form whose fields come first) and duplicates are refused,
/// rows are gathered per symbol into column chunks while every symbol's times increase (with
/// the summary's statistics accumulated by the parser), and the chunks wait in an unlinked
/// temporary file (``BarChunkSpill``); rows after the first one out of order, and every row
/// otherwise, are COPYed into a temporary table of the transaction (`upload_stage`: no index,
/// no WAL, its file unlinked when the transaction ends). ``finish(_:beforeCommit:)`` checks
/// the file (bad values, duplicates, the name, the quota under the owner's lock) and only
/// then writes the chunks: the spilled ones in one binary COPY, the staged rows sorted and cut
/// into chunks by PostgreSQL. A refused or interrupted upload leaves neither rows nor dead
/// tuples behind. The bytes read count against the owner's ``UploadBudget`` (refused uploads
/// included).
public final class DatasetUpload {
    private let tx: Transaction
    private let owner: Int64
    private let limits: UploadLimits
    private let usedBytes: Int64
    private var parser: BarFileParser
    private var writer: CopyWriter?
    private var closed = false
    /// The chunks of the rows in order (direct loading).
    private var spill: BarChunkSpill?
    /// The dataset row inserted up front (direct loading), or nil.
    private var datasetID: Int64?
    private var initialDraft: DatasetDraft?
    private var staged = false
    private let meter: UploadBudget.Meter?

    /// Starts an upload for `owner`; with `draft` (and no `dedupe`), rows in order are written in
    /// `bars`' shape as they come. With `meter`, the bytes read count against the owner's upload
    /// budget, and the upload is refused once it is spent.
    public init(store: DatasetStore, owner: Int64, limits: UploadLimits, draft: DatasetDraft? = nil, meter: UploadBudget.Meter? = nil) throws {
        self.owner = owner
        self.limits = limits
        self.meter = meter
        try meter?.check()
        usedBytes = try store.usedBytes(owner: owner)
        guard usedBytes < limits.quotaBytes else { throw DatasetError.quotaExceeded(usedBytes: usedBytes, quotaBytes: limits.quotaBytes) }
        parser = BarFileParser()
        tx = try store.database.begin()
        do {
            // The COPY lasts as long as the client sends: bounded by the body limit and nginx's
            // client_body_timeout, not by the pool's statement timeout.
            try tx.execute("SET LOCAL statement_timeout = 0")
            if let draft, draft.dedupe == nil {
                initialDraft = draft
                let id = try insertDataset(draft)
                datasetID = id
                parser.datasetID = id
                parser.wideSymbol = draft.symbol
                spill = try BarChunkSpill()
            } else {
                try beginStaging()
            }
        } catch {
            abort()
            throw Self.translate(error)
        }
    }

    private func beginStaging() throws {
        try tx.execute(
            """
            CREATE TEMP TABLE upload_stage (line bigint NOT NULL, symbol text NOT NULL, ts bigint NOT NULL, open float8 NOT NULL,
                high float8 NOT NULL, low float8 NOT NULL, close float8 NOT NULL, volume float8 NOT NULL, extra float8[]) ON COMMIT DROP
            """)
        writer = try tx.beginCopyIn("COPY upload_stage FROM STDIN")
        staged = true
    }

    /// The dataset row, its summary to come; a taken name is ``DatasetError/nameTaken``.
    private func insertDataset(_ draft: DatasetDraft) throws -> Int64 {
        do {
            return try tx.query(
                """
                INSERT INTO datasets (owner_id, name, description, tags, timezone, layout, columns, summary, quality, row_count, size_bytes,
                                      parent_id, steps)
                VALUES (\(owner), \(draft.name), \(draft.description), ARRAY(SELECT jsonb_array_elements_text(\(try DatasetStore.json(draft.tags))::jsonb)),
                        \(draft.timezone), 'wide', '[]', '{}', '{}', 0, 0, \(draft.parentID), \(draft.steps.map { JSONB(json: $0) })::jsonb)
                RETURNING id
                """)[0].decode("id")
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DatasetError.nameTaken
        }
    }

    /// Hands the parser's output where it belongs: chunks to the spill, staging rows to the
    /// COPY into `upload_stage` (begun when the first row leaves time order).
    private func write(_ bytes: [UInt8], _ target: BarFileParser.Target) throws {
        switch target {
        case .bars:
            try spill?.append(bytes)
        case .stage:
            if !staged { try beginStaging() }
            try writer?.write(bytes)
        }
    }

    /// Whether the upload still takes bytes.
    private var open: Bool { !closed && (writer != nil || spill != nil) }

    /// Parses the next piece of the file and streams its good rows into the staging table.
    public func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard open else { return }
        do {
            try meter?.add(bytes.count)
            try parser.feed(bytes) { try self.write($0, $1) }
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

    /// The quota once more, under a transaction lock of the owner's, with this dataset
    /// stored: uploads that finish together each saw room when they started; the second to
    /// take the lock counts the first's bytes (the count runs after the lock, so its
    /// snapshot sees the first one's commit).
    private func checkQuotaUnderLock(adding size: Int64) throws {
        try tx.lock("tm.datasets.quota.\(owner)")
        let used: Int64 =
            try tx.query("SELECT coalesce(sum(size_bytes), 0)::bigint AS used FROM datasets WHERE owner_id = \(owner)").first?.decode("used") ?? 0
        if used > limits.quotaBytes { throw DatasetError.quotaExceeded(usedBytes: used - size, quotaBytes: limits.quotaBytes) }
    }

    /// Ends the file and stores the dataset; throws (after rolling back) when the file is refused.
    /// `beforeCommit` writes what must commit with the dataset (a job's success) in its
    /// transaction.
    public func finish(_ draft: DatasetDraft, beforeCommit: (Transaction, Dataset) throws -> Void = { _, _ in }) throws -> Dataset {
        guard open else { throw DatasetError.badFile("The upload was already ended.") }
        do {
            try parser.finish { try self.write($0, $1) }
            try checkLimits()
            try meter?.flush()
            try self.writer?.finish()
            self.writer = nil
            // Rows in order and rows staged after them are checked and stored together.
            if staged, let spill {
                try tx.execute("CREATE TEMP TABLE upload_chunks (LIKE bar_chunks) ON COMMIT DROP")
                try copyChunks(spill, temporary: true, datasetID: datasetID ?? 0, wideSymbol: initialDraft?.symbol ?? "")
                self.spill = nil
            }
            let dataset = try store(draft)
            try beforeCommit(tx, dataset)
            try tx.commit()
            closed = true
            return dataset
        } catch {
            abort()
            throw Self.translate(error)
        }
    }

    /// Discards everything (safe to call more than once); the bytes read still count against
    /// the budget.
    public func abort() {
        guard !closed else { return }
        closed = true
        try? meter?.flush()
        writer?.abort()
        writer = nil
        spill = nil
        tx.rollback()
    }

    private static func translate(_ error: any Error) -> any Error {
        if case DatabaseError.query(let state, _, _) = error, state == "53100" { return DatasetError.diskFull }
        return error
    }

    /// Duplicate (symbol, time) rows after the first of each (staged rows that repeat one of
    /// their own or one of the rows in order before them), as issues, and their count. The
    /// rows in order (chunked, in `upload_chunks` by then) all come before the staged ones in
    /// the file and repeat none of their own, so they take line 0 here.
    private func duplicates(symbol wide: String) throws -> (issues: [CSVIssue], count: Int) {
        guard staged else { return ([], 0) }
        let direct =
            datasetID == nil ? SQLFragment("") : SQLFragment("UNION ALL SELECT 0, c.symbol, u.ts FROM upload_chunks c, unnest(c.ts) AS u(ts)")
        let rows = try tx.query(
            """
            SELECT line, symbol, ts, count(*) OVER () AS total FROM (
                SELECT line, symbol, ts, row_number() OVER (PARTITION BY symbol, ts ORDER BY line) AS k
                FROM (SELECT line, symbol, ts FROM upload_stage \(unsafeFragment: direct)) s) d
            WHERE k > 1 ORDER BY line LIMIT 100
            """)
        let dateColumn = parser.columns.first { $0.role == .date }?.name ?? "date"
        let issues = try rows.map { row in
            CSVIssue(
                line: try row.decode("line"), column: dateColumn, value: TimestampFormatter.iso8601(try row.decode("ts")),
                reason: "duplicate timestamp for \(Self.name(try row.decode("symbol"), wide: wide))")
        }
        return (issues, try rows.first?.decode("total") ?? 0)
    }

    private static func name(_ symbol: String, wide: String) -> String { symbol.isEmpty ? wide : symbol }

    /// Writes the spilled chunks with one binary COPY into `bar_chunks` (or, `temporary`, into
    /// `upload_chunks`), a wide file's under `wideSymbol`.
    private func copyChunks(_ spill: BarChunkSpill, temporary: Bool, datasetID: Int64, wideSymbol: String) throws {
        let columns = SQLFragment("(dataset_id, symbol, first_ts, last_ts, bar_count, ts, open, high, low, close, volume, extra)")
        let target = temporary ? SQLFragment("upload_chunks ") : SQLFragment("bar_chunks ")
        let writer = try tx.beginCopyIn("COPY \(unsafeFragment: target + columns) FROM STDIN (FORMAT binary)")
        let symbols = parser.statistics.symbols
        let long = parser.layout == .long
        do {
            try spill.copy(into: writer, datasetID: datasetID) { k in long && k < symbols.count ? symbols[k].name : wideSymbol }
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Stores the rows as chunks of `bar_chunks`: the spilled chunks as they are when every row
    /// came in order, else every row (the spilled chunks' and the staged ones) sorted and cut
    /// into chunks of ``BarChunkBuilder/chunkBars`` by PostgreSQL (keeping one of each
    /// duplicate with `dedupe`). Duplicates were refused before, so this cannot fail on the
    /// primary key and leave dead rows behind. A wide file's rows all take the final draft's
    /// symbol (a form's symbol field may come after the file).
    private func insertRows(id: Int64, draft: DatasetDraft, layout: DatasetLayout) throws {
        let wide = layout == .wide
        if let spill, !staged {
            try copyChunks(spill, temporary: false, datasetID: id, wideSymbol: draft.symbol)
            return
        }
        guard staged else { return }
        let rows: SQLFragment
        switch draft.dedupe {
        case nil:
            let stage = SQLFragment("SELECT symbol, ts, open, high, low, close, volume, extra FROM upload_stage")
            rows =
                datasetID == nil
                ? stage
                : stage
                    + SQLFragment(
                        """
                         UNION ALL SELECT c.symbol, u.ts, u.open, u.high, u.low, u.close, u.volume, u.extra::float8[]
                        FROM upload_chunks c, unnest(c.ts, c.open, c.high, c.low, c.close, c.volume, c.extra) AS u(ts, open, high, low, close, volume, extra)
                        """)
        case .first?:
            rows = SQLFragment(
                "SELECT DISTINCT ON (symbol, ts) symbol, ts, open, high, low, close, volume, extra FROM upload_stage ORDER BY symbol, ts, line")
        case .last?:
            rows = SQLFragment(
                "SELECT DISTINCT ON (symbol, ts) symbol, ts, open, high, low, close, volume, extra FROM upload_stage ORDER BY symbol, ts, line DESC")
        }
        // The sort's memory for this transaction only (the server's default, 4 MB, merges a
        // sort of millions of rows from hundreds of runs on disk).
        try tx.execute("SET LOCAL work_mem = '64MB'")
        try tx.execute(
            """
            INSERT INTO bar_chunks (dataset_id, symbol, first_ts, last_ts, bar_count, ts, open, high, low, close, volume, extra)
            SELECT \(id), symbol, min(ts), max(ts), count(*)::integer, array_agg(ts ORDER BY ts), array_agg(open ORDER BY ts),
                array_agg(high ORDER BY ts), array_agg(low ORDER BY ts), array_agg(close ORDER BY ts), array_agg(volume ORDER BY ts),
                CASE WHEN count(extra) = 0 THEN NULL ELSE array_agg(extra::text ORDER BY ts) END
            FROM (
                SELECT m.*, (row_number() OVER (PARTITION BY symbol ORDER BY ts) - 1) / \(Int64(BarChunkBuilder.chunkBars)) AS chunk
                FROM (
                    SELECT CASE WHEN \(wide) OR r.symbol = '' THEN \(draft.symbol) ELSE r.symbol END AS symbol,
                        r.ts, r.open, r.high, r.low, r.close, r.volume, r.extra
                    FROM (\(unsafeFragment: rows)) r) m) s
            GROUP BY symbol, chunk
            """)
    }

    private func store(_ draft: DatasetDraft) throws -> Dataset {
        if parser.errorCount > 0 {
            let (extra, count) = draft.dedupe == nil ? try duplicates(symbol: draft.symbol) : ([], 0)
            let issues = (parser.issues + extra).sorted { $0.line < $1.line }.prefix(100)
            throw DatasetError.invalidRows(Array(issues), count: parser.errorCount + count)
        }
        guard let layout = parser.layout else { throw DatasetError.badFile("The file has no header.") }
        if draft.dedupe == nil {
            let (issues, count) = try duplicates(symbol: draft.symbol)
            if count > 0 { throw DatasetError.invalidRows(issues, count: count) }
        }
        let id = try datasetID ?? insertDataset(draft)
        // The name and the size before any row is written: a taken name or a full quota
        // refuses the file with `bars` untouched.
        do {
            try tx.execute(
                """
                UPDATE datasets SET name = \(draft.name), size_bytes = \(Int64(parser.byteCount)) WHERE id = \(id)
                """)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DatasetError.nameTaken
        }
        try checkQuotaUnderLock(adding: Int64(parser.byteCount))
        try insertRows(id: id, draft: draft, layout: layout)
        let extras = parser.columns.filter { $0.role == .extra }.map(\.name)
        let hasVolume = parser.columns.contains { $0.role == .volume }
        let analysis = DatasetAnalysis(tx: tx, datasetID: id, extraColumns: extras, hasVolume: hasVolume)
        let summary: DatasetSummary
        let quality: DatasetQuality
        if datasetID != nil && !staged && parser.statistics.inOrder {
            let statistics = parser.statistics
            summary = statistics.summary(names: ["open", "high", "low", "close", "volume"] + extras, hasVolume: hasVolume, wide: draft.symbol)
            let gaps = try statistics.gaps(interval: summary.intervalSeconds, wide: draft.symbol) ?? analysis.gaps(interval: summary.intervalSeconds)
            quality = DatasetQuality(
                gapCount: gaps.count, gaps: gaps.largest, largestAbsReturn: statistics.largestReturn(wide: draft.symbol),
                zeroVolumeBars: statistics.zeroVolume)
        } else {
            (summary, quality) = try analysis.run()
        }
        do {
            let rows = try tx.query(
                """
                UPDATE datasets SET name = \(draft.name), description = \(draft.description),
                    tags = ARRAY(SELECT jsonb_array_elements_text(\(try DatasetStore.json(draft.tags))::jsonb)), timezone = \(draft.timezone),
                    layout = \(layout.rawValue), columns = \(try DatasetStore.json(parser.columns))::jsonb,
                    summary = \(try DatasetStore.json(summary))::jsonb, quality = \(try DatasetStore.json(quality))::jsonb,
                    row_count = \(summary.rowCount), size_bytes = \(Int64(parser.byteCount))
                WHERE id = \(id) RETURNING \(unsafeFragment: DatasetStore.selection)
                """)
            return try DatasetStore.dataset(from: rows[0])
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw DatasetError.nameTaken
        }
    }
}
