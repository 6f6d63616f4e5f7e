/// A streaming reader of OHLCV CSV files into a series, for `tm backtest` and the analytics.
///
/// Feed it chunks of bytes as they arrive (`feed(_:)`), then call `finish()` for the series.
/// The rows are read and checked by ``OHLCVRowReader`` with its ``OHLCVRowReader/Rules/series``
/// rules (the upload's parser shares them); on top of those, timestamps must increase
/// strictly (per symbol in long format). Bad rows are skipped and collected; `finish()`
/// throws `CSVError.invalidRows` if there were any. Extra columns are ignored. Without
/// open/high/low columns, those fields equal the close; without volume, it is 0.
public struct OHLCVCSVReader: Sendable {
    private var rows: OHLCVRowReader
    private var series = OHLCVSeriesBuilder()
    private var done = false

    /// A reader that keeps at most `maximumIssues` issues and accepts lines up to `maximumLineLength` bytes.
    public init(maximumIssues: Int = 100, maximumLineLength: Int = 1 << 20) {
        rows = OHLCVRowReader(rules: .series, maximumIssues: maximumIssues, maximumLineLength: maximumLineLength)
    }

    /// Parses a whole buffer (a file of the usual layout straight into its columns, see
    /// ``OHLCVColumnWriter``).
    public static func parse(_ bytes: [UInt8]) throws(CSVError) -> OHLCVSeries {
        if let (rows, body) = headerReader(bytes),
            let series = try bytes.withUnsafeBufferPointer({ (all) throws(CSVError) in
                try OHLCVColumnWriter.series(of: UnsafeBufferPointer(rebasing: all[body...]), reader: rows)
            })
        {
            return series
        }
        var reader = OHLCVCSVReader()
        try reader.feed(bytes)
        return try reader.finish()
    }

    /// A row reader that has read the first line of `bytes` as the header, and the index after
    /// that line; nil when the first line is not a header the reader takes (the caller then
    /// reads the whole file, which reports it).
    static func headerReader(_ bytes: [UInt8]) -> (OHLCVRowReader, body: Int)? {
        guard let headerEnd = bytes.firstIndex(of: 10) else { return nil }
        var reader = OHLCVRowReader(rules: .series)
        var ignored = OHLCVSeriesBuilder()
        do {
            try bytes.withUnsafeBufferPointer { (b) throws(CSVError) in
                try reader.feed(UnsafeBufferPointer(rebasing: b[...headerEnd]), into: &ignored)
            }
        } catch {
            return nil
        }
        return reader.columns.isEmpty ? nil : (reader, headerEnd + 1)
    }

    /// Parses a whole string.
    public static func parse(_ text: String) throws(CSVError) -> OHLCVSeries {
        try parse(Array(text.utf8))
    }

    /// Consumes the next chunk of the file; a line may be split across chunks anywhere.
    public mutating func feed(_ chunk: [UInt8]) throws(CSVError) {
        try chunk.withUnsafeBufferPointer { (buf) throws(CSVError) in try feed(buf) }
    }

    /// Consumes bytes in place (e.g. a request body buffer), without copying them first.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(CSVError) {
        try chunk.withMemoryRebound(to: UInt8.self) { (bytes) throws(CSVError) in try feed(bytes) }
    }

    /// Consumes the next chunk from a buffer of bytes.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        guard !done else { throw .finished }
        do {
            try rows.feed(chunk, into: &series)
        } catch {
            done = true
            throw error
        }
    }

    /// Makes room in the columns for about `rows` more rows (after the header).
    mutating func reserve(rows: Int) {
        series.expect(rows: rows)
    }

    /// Ends the input and returns the series; throws if the file was empty or had bad rows.
    public mutating func finish() throws(CSVError) -> OHLCVSeries {
        guard !done else { throw .finished }
        done = true
        try rows.finish(into: &series)
        if rows.badRowCount > 0 { throw .invalidRows(rows.issues, badRowCount: rows.badRowCount) }
        return series.build()
    }
}
