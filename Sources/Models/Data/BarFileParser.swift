import Quant

/// Reads an uploaded price file as it arrives and turns its good rows into column chunks
/// (rows in order) or lines of `COPY` text for the staging table (see ``BarCopyText``).
///
/// The rows are read and checked by Quant's ``OHLCVRowReader`` with its
/// ``OHLCVRowReader/Rules/dataset`` rules: `tm backtest`'s reader shares the parser, its
/// rules and its messages. Layouts: wide (`date,open,high,low,close[,volume]`, one symbol
/// named by the caller) and long (with a `tic`/`symbol`/`ticker` column, as TradeMaster's
/// files); every other column is an extra numeric column (empty, `nan` or `null` are stored
/// as NULL). A bad row is reported (the first 100 kept) and not written.
///
/// With ``datasetID`` set, rows become chunks while every symbol's times increase, and the statistics of the summary are accumulated on the way; the first row
/// that breaks the order switches the output to the staging table's shape for the rest of
/// the file, and the store checks duplicates and sorts those rows when it is loaded.
public struct BarFileParser {
    /// Where a piece of output goes.
    public enum Target: Sendable {
        /// Chunk records for `bar_chunks` (see ``BarChunkBuilder``).
        case bars
        /// Rows for the staging table, the line number first.
        case stage
    }

    /// What each column of the file holds.
    public var columns: [DatasetColumn] { copy.columns }
    /// The first issues, in line order.
    public var issues: [CSVIssue] { rows.issues }
    /// How many bad values there were in all.
    public var errorCount: Int { rows.badValueCount }
    /// Rows written.
    public var rowCount: Int { rows.rowCount }
    /// Bytes read.
    public var byteCount: Int { rows.byteCount }
    /// The dataset whose `bars` the rows go to directly while they are in order (nil: all
    /// rows go to the staging table).
    public var datasetID: Int64?
    /// A wide file's symbol when ``datasetID`` is set (else the store names it at the end).
    public var wideSymbol = ""
    /// Where rows go now.
    public var target: Target { copy.target }
    /// The summary statistics of the rows written to `bars` in order.
    var statistics: BarStatistics { copy.statistics }

    private var rows = OHLCVRowReader(rules: .dataset)
    private var copy = BarCopyText()

    /// A parser. Without ``datasetID``, rows of a wide file get an empty symbol: the store
    /// names it when the file ends (a form may send the `symbol` field after the file).
    public init() {}

    /// The layout the header announced (nil before the header).
    public var layout: DatasetLayout? {
        columns.isEmpty ? nil : (columns.contains { $0.role == .symbol } ? .long : .wide)
    }

    /// Parses `chunk` (lines may be split anywhere) and hands the output of its complete
    /// good rows to `sink`.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, into sink: ([UInt8], Target) throws -> Void) throws {
        if rows.byteCount == 0, let datasetID { copy.start(dataset: datasetID, wideSymbol: wideSymbol) }
        do {
            try rows.feed(chunk, into: &copy)
        } catch {
            throw Self.translate(error)
        }
        try copy.flush(into: sink)
    }

    /// Ends the file: the last line without a newline, then checks that there was a header and a row.
    public mutating func finish(into sink: ([UInt8], Target) throws -> Void) throws {
        do {
            try rows.finish(into: &copy)
        } catch {
            throw Self.translate(error)
        }
        copy.endOfFile()
        try copy.flush(into: sink)
    }

    private static func translate(_ error: CSVError) -> DatasetError {
        if case .lineTooLong(let line, let limit) = error { return .lineTooLong(line: line, limit: limit) }
        return .badFile(error.description)
    }
}
