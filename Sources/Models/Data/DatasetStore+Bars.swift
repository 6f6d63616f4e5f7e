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

    /// Columns of `symbol` from rows with `ts`, `open`, `high`, `low`, `close` and `volume`.
    init(symbol: String, rows: [Row]) throws {
        self.symbol = symbol
        time.reserveCapacity(rows.count)
        for row in rows {
            time.append(try row.decode("ts"))
            open.append(try row.decode("open"))
            high.append(try row.decode("high"))
            low.append(try row.decode("low"))
            close.append(try row.decode("close"))
            volume.append(try row.decode("volume"))
        }
    }
}

extension DatasetStore {
    /// The bars of `symbol` in `dataset` within `[start, end)` (epoch seconds), in time order,
    /// aggregated into at most `maxPoints` buckets of equal row counts (open first, high max,
    /// low min, close last, volume sum).
    public func bars(datasetID: Int64, symbol: String, start: Int64?, end: Int64?, maxPoints: Int) throws -> BarColumns {
        // Every bar (a backtest's read): no buckets to form, so no window or GROUP BY over
        // each row (on 200,000 rows that aggregation cost more than the backtest).
        if maxPoints >= Self.everyBar {
            return try allBars(datasetID: datasetID, symbol: symbol, start: start, end: end)
        }
        let rows = try database.query(
            """
            WITH r AS (
                SELECT ts, open, high, low, close, volume, row_number() OVER (ORDER BY ts) - 1 AS i, count(*) OVER () AS n
                FROM bars WHERE dataset_id = \(datasetID) AND symbol = \(symbol)
                  AND ts >= coalesce(\(start)::bigint, ts) AND ts < coalesce(\(end)::bigint, ts + 1))
            SELECT min(ts) AS ts, (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high, min(low) AS low,
                   (array_agg(close ORDER BY ts DESC))[1] AS close, sum(volume) AS volume, max(n) AS n
            FROM r GROUP BY i * \(maxPoints) / n ORDER BY 1
            """)
        var columns = try BarColumns(symbol: symbol, rows: rows)
        columns.sourceRows = try rows.first?.decode("n") ?? 0
        return columns
    }

    /// A `maxPoints` that asks for every bar, unaggregated.
    public static let everyBar = Int(Int32.max)

    /// Every bar of `symbol` in `[start, end)`, in time order.
    func allBars(datasetID: Int64, symbol: String, start: Int64?, end: Int64?) throws -> BarColumns {
        let rows = try database.query(
            """
            SELECT ts, open, high, low, close, volume FROM bars
            WHERE dataset_id = \(datasetID) AND symbol = \(symbol)
              AND ts >= coalesce(\(start)::bigint, ts) AND ts < coalesce(\(end)::bigint, ts + 1)
            ORDER BY ts
            """)
        var columns = try BarColumns(symbol: symbol, rows: rows)
        columns.sourceRows = rows.count
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
    /// was uploaded in, handing `sink` a piece per batch of rows (read in pages by key, so
    /// the worker never holds the whole table's rows).
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
        var after: (Int64, String)? = nil
        let page = 20_000
        while true {
            let rows = try database.query(
                """
                SELECT symbol, ts, open, high, low, close, volume, array_to_json(extra)::text AS extra FROM bars
                WHERE dataset_id = \(dataset.id) AND (\(symbol)::text IS NULL OR symbol = \(symbol))
                  AND ts >= coalesce(\(start)::bigint, ts) AND ts < coalesce(\(end)::bigint, ts + 1)
                  AND (\(after?.0)::bigint IS NULL OR (ts, symbol) > (\(after?.0)::bigint, \(after?.1)::text))
                ORDER BY ts, symbol LIMIT \(page)
                """)
            guard !rows.isEmpty else { return }
            var text = ""
            text.reserveCapacity(rows.count * 64)
            for row in rows {
                let ts: Int64 = try row.decode("ts")
                let symbol: String = try row.decode("symbol")
                let extras: [Double?] = try row.decodeIfPresent("extra", as: String.self).map(Self.parseExtras) ?? []
                var fields: [String] = []
                fields.reserveCapacity(columns.count)
                for (k, column) in columns.enumerated() {
                    switch column.role {
                    case .date: fields.append(Self.formatTime(ts, datesOnly: datesOnly))
                    case .symbol: fields.append(Self.csvField(symbol))
                    case .open: fields.append(Self.number(try row.decode("open")))
                    case .high: fields.append(Self.number(try row.decode("high")))
                    case .low: fields.append(Self.number(try row.decode("low")))
                    case .close: fields.append(Self.number(try row.decode("close")))
                    case .volume: fields.append(Self.number(try row.decode("volume")))
                    case .extra:
                        let index = (extraIndex[k] ?? 1) - 1
                        fields.append(index < extras.count ? extras[index].map(Self.number) ?? "" : "")
                    }
                }
                text += fields.joined(separator: ",")
                text += "\n"
                after = (ts, symbol)
            }
            try sink(text)
            if rows.count < page { return }
        }
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
