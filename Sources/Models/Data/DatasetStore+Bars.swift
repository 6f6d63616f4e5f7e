import PostgresClient
import Quant

/// A symbol's bars, column-wise, possibly aggregated into buckets.
public struct BarColumns: Sendable {
    /// The symbol.
    public var symbol: String
    /// Bar (or bucket start) times, epoch seconds.
    public var time: [Int64] = []
    /// Opening prices (a bucket's first).
    public var open: [Double] = []
    /// Highest prices (a bucket's max).
    public var high: [Double] = []
    /// Lowest prices (a bucket's min).
    public var low: [Double] = []
    /// Closing prices (a bucket's last).
    public var close: [Double] = []
    /// Volume (a bucket's sum).
    public var volume: [Double] = []
    /// Rows in the range before aggregation.
    public var sourceRows: Int = 0

    /// No bars of `symbol` yet.
    init(symbol: String) {
        self.symbol = symbol
    }

    /// Columns of `symbol` from `bar_chunks` rows (binary arrays `ts`, `open`, `high`, `low`,
    /// `close` and `volume`), in the order of the rows.
    init(symbol: String, chunks result: ResultColumns) throws {
        try self.init(symbol: symbol, integers: result.concatenatedIntegers, doubles: result.concatenatedDoubles)
        sourceRows = time.count
    }

    /// Columns of `symbol` from a binary result with `ts`, `open`, `high`, `low`, `close` and `volume`.
    init(symbol: String, result: ResultColumns) throws {
        try self.init(symbol: symbol, integers: result.integers, doubles: result.doubles)
    }

    /// Columns of `symbol` read by name: the times by `integers`, the prices and volume by `doubles`.
    private init(symbol: String, integers: (String) throws -> [Int64], doubles: (String) throws -> [Double]) throws {
        self.symbol = symbol
        time = try integers("ts")
        open = try doubles("open")
        high = try doubles("high")
        low = try doubles("low")
        close = try doubles("close")
        volume = try doubles("volume")
    }
}

extension DatasetStore {
    /// The bars of `symbol` in `dataset` within `[start, end)` (epoch seconds), in time order,
    /// aggregated into at most `maxPoints` buckets of equal row counts (open first, high max,
    /// low min, close last, volume sum): row `i` of `n` falls in bucket `i · maxPoints / n`.
    ///
    /// The rows are read as a backtest reads them (the cached series, or one binary index-ordered
    /// read) and bucketed here in one pass: PostgreSQL neither numbers nor sorts nor groups
    /// them. A range of more than ``bucketedInMemory`` rows that is not cached is aggregated by
    /// PostgreSQL instead, so a worker never holds more than that many rows for a chart.
    public func bars(datasetID: Int64, symbol: String, start: Int64?, end: Int64?, maxPoints: Int) throws -> BarColumns {
        // Every bar (a backtest's read): no buckets to form.
        if maxPoints >= Self.everyBar {
            return try allBars(datasetID: datasetID, symbol: symbol, start: start, end: end)
        }
        let cache = try cache.flatMap { try exists(datasetID) ? $0 : nil }
        if let cached = cache?.cached(dataset: datasetID, symbol: symbol, start: start, end: end) {
            return Self.buckets(cached, maxPoints: maxPoints)
        }
        if try barCount(datasetID: datasetID, symbol: symbol, start: start, end: end) <= Self.bucketedInMemory {
            let rows = try readBars(datasetID: datasetID, symbol: symbol, start: start, end: end)
            // A whole series read for a chart serves the next backtest or chart of it too.
            if start == nil && end == nil { cache?.offer(rows, dataset: datasetID) }
            return Self.buckets(rows, maxPoints: maxPoints)
        }
        let result = try database.columns(
            """
            WITH r AS (
                SELECT u.ts, u.open, u.high, u.low, u.close, u.volume, row_number() OVER (ORDER BY u.ts) - 1 AS i, count(*) OVER () AS n
                FROM bar_chunks c, unnest(c.ts, c.open, c.high, c.low, c.close, c.volume) AS u(ts, open, high, low, close, volume)
                WHERE c.dataset_id = \(datasetID) AND c.symbol = \(symbol)
                  AND c.first_ts < \(end ?? Int64.max) AND c.last_ts >= \(start ?? Int64.min)
                  AND u.ts >= \(start ?? Int64.min) AND u.ts < \(end ?? Int64.max))
            SELECT min(ts) AS ts, (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high, min(low) AS low,
                   (array_agg(close ORDER BY ts DESC))[1] AS close, sum(volume) AS volume, max(n) AS n
            FROM r GROUP BY i * \(maxPoints) / n ORDER BY 1
            """)
        var columns = try BarColumns(symbol: symbol, result: result)
        columns.sourceRows = Int(try result.integers("n").first ?? 0)
        return columns
    }

    /// The most rows a bucketed read (a chart, `max_points`) holds in the worker when the series
    /// is not cached (48 MB of columns).
    public static let bucketedInMemory = 1_000_000

    /// `rows` (in time order) in at most `maxPoints` buckets of equal row counts, as the SQL
    /// above forms them: row `i` of `n` in bucket `i · maxPoints / n`; its time and open are
    /// the first row's, its high the largest, its low the smallest, its close the last row's and
    /// its volume the sum, added in time order.
    static func buckets(_ rows: BarColumns, maxPoints: Int) -> BarColumns {
        let n = rows.time.count
        var out = BarColumns(symbol: rows.symbol)
        out.sourceRows = n
        guard n > 0, maxPoints > 0 else { return out }
        let count = min(n, maxPoints)
        out.time.reserveCapacity(count)
        out.open.reserveCapacity(count)
        out.high.reserveCapacity(count)
        out.low.reserveCapacity(count)
        out.close.reserveCapacity(count)
        out.volume.reserveCapacity(count)
        var i = 0
        while i < n {
            let bucket = i * maxPoints / n
            var high = rows.high[i]
            var low = rows.low[i]
            var volume = rows.volume[i]
            var j = i + 1
            while j < n, j * maxPoints / n == bucket {
                high = max(high, rows.high[j])
                low = min(low, rows.low[j])
                volume += rows.volume[j]
                j += 1
            }
            out.time.append(rows.time[i])
            out.open.append(rows.open[i])
            out.high.append(high)
            out.low.append(low)
            out.close.append(rows.close[j - 1])
            out.volume.append(volume)
            i = j
        }
        return out
    }

    /// A `maxPoints` that asks for every bar, unaggregated.
    public static let everyBar = Int(Int32.max)

    /// Every bar of `symbol` in `[start, end)`, in time order: from the process's
    /// ``SeriesCache`` when the store has one (the whole series is read once and kept), else
    /// read in binary format.
    func allBars(datasetID: Int64, symbol: String, start: Int64?, end: Int64?) throws -> BarColumns {
        guard let cache, try exists(datasetID) else { return try readBars(datasetID: datasetID, symbol: symbol, start: start, end: end) }
        return try cache.bars(dataset: datasetID, symbol: symbol, start: start, end: end) {
            try readBars(datasetID: datasetID, symbol: symbol, start: nil, end: nil)
        }
    }

    /// How many bars `symbol` has in `[start, end)`: counted in the cached series when there
    /// is one, else by PostgreSQL (nothing is loaded).
    public func barCount(datasetID: Int64, symbol: String, start: Int64?, end: Int64?) throws -> Int {
        if let cached = cache?.cached(dataset: datasetID, symbol: symbol, start: start, end: end), try exists(datasetID) {
            return cached.time.count
        }
        // Chunks wholly inside the range count by their bar_count; the (at most two) at its
        // edges count their times in it.
        let from = start ?? Int64.min
        let to = end ?? Int64.max
        return try database.query(
            """
            SELECT coalesce(sum(CASE WHEN first_ts >= \(from) AND last_ts < \(to) THEN bar_count
                                ELSE (SELECT count(*) FROM unnest(ts) AS t WHERE t >= \(from) AND t < \(to)) END), 0)::bigint AS n
            FROM bar_chunks
            WHERE dataset_id = \(datasetID) AND symbol = \(symbol) AND first_ts < \(to) AND last_ts >= \(from)
            """
        ).first?.decode("n") ?? 0
    }

    /// Whether dataset `id` is still stored: a cached series is served only then (bars never
    /// change, but a deleted dataset's must read as none, as its rows do).
    func exists(_ id: Int64) throws -> Bool {
        try database.query("SELECT EXISTS (SELECT 1 FROM datasets WHERE id = \(id)) AS stored").first?.decode("stored") ?? false
    }

    /// Every bar of `symbol` in `[start, end)` from PostgreSQL, in time order: the chunks that
    /// overlap the range (a range of the primary key, pruned by `first_ts`/`last_ts`), read as
    /// binary arrays and cut to the range here.
    func readBars(datasetID: Int64, symbol: String, start: Int64?, end: Int64?) throws -> BarColumns {
        let result = try database.columns(
            """
            SELECT ts, open, high, low, close, volume FROM bar_chunks
            WHERE dataset_id = \(datasetID) AND symbol = \(symbol)
              AND first_ts < \(end ?? Int64.max) AND last_ts >= \(start ?? Int64.min)
            ORDER BY first_ts
            """)
        var columns = try BarColumns(symbol: symbol, chunks: result)
        if start != nil || end != nil { columns = SeriesCache.slice(columns, start: start, end: end) }
        columns.sourceRows = columns.time.count
        return columns
    }

    /// A symbol's whole series as Quant reads it for a backtest.
    public func series(datasetID: Int64, symbol: String) throws -> OHLCVSeries {
        let columns = try bars(datasetID: datasetID, symbol: symbol, start: nil, end: nil, maxPoints: Int(Int32.max))
        return try OHLCVSeries(
            timestamps: columns.time, open: columns.open, high: columns.high, low: columns.low,
            close: columns.close, volume: columns.volume)
    }

    /// Writes the dataset (within `[start, end)`) as CSV in the layout and column order it
    /// was uploaded in, symbol by symbol and each in time order, handing `sink` a piece per
    /// page of chunks. Pages follow the primary key `(dataset_id, symbol, first_ts)`: each is
    /// one index range scan from where the last one stopped, so an export costs the same per
    /// row however large the dataset, and the worker holds one page (about 33,000 bars).
    public func exportCSV(_ dataset: Dataset, symbol: String? = nil, start: Int64?, end: Int64?, into sink: (String) throws -> Void) throws {
        let columns = dataset.columns
        try sink(columns.map { Self.csvField($0.name) }.joined(separator: ",") + "\n")
        var extraIndex: [Int: Int] = [:]
        var next = 1
        for (k, column) in columns.enumerated() where column.role == .extra {
            extraIndex[k] = next
            next += 1
        }
        let datesOnly = dataset.summary.datesOnly
        let from = start ?? Int64.min
        let to = end ?? Int64.max
        for name in try symbol.map({ [$0] }) ?? exportSymbols(datasetID: dataset.id) {
            let symbolField = Self.csvField(name)
            var after: Int64? = nil
            while true {
                let page = try exportPage(datasetID: dataset.id, symbol: name, start: from, end: to, after: after, limit: 4)
                guard page.rowCount > 0 else { break }
                let bars = try BarColumns(symbol: name, chunks: page)
                // Each bar's extras as the array literal stored for it (NULL: none).
                var extras: [String?] = []
                if !extraIndex.isEmpty {
                    let counts = try page.integers("bar_count")
                    for row in 0..<page.rowCount {
                        if let raw = try page.array("extra", row: row) {
                            try raw.withUnsafeBytes { try BinaryArray.appendTexts($0, column: "extra", to: &extras) }
                        } else {
                            extras.append(contentsOf: repeatElement(nil, count: Int(counts[row])))
                        }
                    }
                }
                var text = ""
                text.reserveCapacity(bars.time.count * 64)
                var fields: [String] = []
                fields.reserveCapacity(columns.count)
                for i in bars.time.indices where bars.time[i] >= from && bars.time[i] < to {
                    let values: [Double?] = i < extras.count ? extras[i].map(SQLArray.parseDoubles) ?? [] : []
                    fields.removeAll(keepingCapacity: true)
                    for (k, column) in columns.enumerated() {
                        switch column.role {
                        case .date: fields.append(Self.formatTime(bars.time[i], datesOnly: datesOnly))
                        case .symbol: fields.append(symbolField)
                        case .open: fields.append(Self.number(bars.open[i]))
                        case .high: fields.append(Self.number(bars.high[i]))
                        case .low: fields.append(Self.number(bars.low[i]))
                        case .close: fields.append(Self.number(bars.close[i]))
                        case .volume: fields.append(Self.number(bars.volume[i]))
                        case .extra:
                            let index = (extraIndex[k] ?? 1) - 1
                            fields.append(index < values.count ? values[index].map(Self.number) ?? "" : "")
                        }
                    }
                    text += fields.joined(separator: ",")
                    text += "\n"
                }
                after = try page.integers("first_ts").last
                if !text.isEmpty { try sink(text) }
                if page.rowCount < 4 { break }
            }
        }
    }

    /// The dataset's symbols in order, read by skipping through the primary key (one index
    /// probe per symbol, not a scan of the chunks).
    func exportSymbols(datasetID: Int64) throws -> [String] {
        try database.query(
            """
            WITH RECURSIVE s AS (
                SELECT min(symbol) AS symbol FROM bar_chunks WHERE dataset_id = \(datasetID)
                UNION ALL
                SELECT (SELECT min(symbol) FROM bar_chunks WHERE dataset_id = \(datasetID) AND symbol > s.symbol) FROM s WHERE s.symbol IS NOT NULL
            )
            SELECT symbol FROM s WHERE symbol IS NOT NULL
            """
        ).map { try $0.decode("symbol") }
    }

    /// One page of an export: up to `limit` chunks of `symbol` that overlap `[start, end)` and
    /// begin after `after` (a chunk's `first_ts`), in time order: a range of the primary key.
    func exportPage(datasetID: Int64, symbol: String, start: Int64, end: Int64, after: Int64?, limit: Int) throws -> ResultColumns {
        try database.columns(
            """
            SELECT first_ts, bar_count, ts, open, high, low, close, volume, extra FROM bar_chunks
            WHERE dataset_id = \(datasetID) AND symbol = \(symbol) AND first_ts > \(after ?? Int64.min) AND first_ts < \(end)
              AND last_ts >= \(start)
            ORDER BY first_ts LIMIT \(limit)
            """)
    }

    /// `[1.5,null]` (array_to_json of float8[]) as values.
    static func parseExtras(_ json: String) -> [Double?] {
        json.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    static func formatTime(_ seconds: Int64, datesOnly: Bool) -> String {
        let text = TimestampFormatter.iso8601(seconds)
        if datesOnly { return text }
        // Midnight prints as a date alone; give every row the same date-time shape.
        if !text.contains("T") { return text + " 00:00:00" }
        return String(text.dropLast().replacing("T", with: " "))
    }

    static func csvField(_ text: String) -> String {
        // A text cell that starts like a formula (= + - @, tab, CR) is one to a spreadsheet:
        // a leading apostrophe keeps it text (OWASP's advice for CSV injection).
        let text = text.first.map { "=+-@\t\r".contains($0) } == true ? "'" + text : text
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
