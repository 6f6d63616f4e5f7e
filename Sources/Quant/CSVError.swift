/// One rejected CSV row: where it is, which field, what it held and why it is wrong.
public struct CSVIssue: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number in the file (the header is line 1).
    public var line: Int
    /// The column name as written in the header.
    public var column: String
    /// The offending text (cut to 40 characters).
    public var value: String
    /// Why it was rejected.
    public var reason: String

    /// Creates an issue.
    public init(line: Int, column: String, value: String, reason: String) {
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// `line 7, column high ("9.5"): high is below max(open, close)`.
    public var description: String {
        "line \(line), column \(column) (\"\(value)\"): \(reason)"
    }
}

/// Errors of the OHLCV CSV reader.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input held no header line.
    case empty
    /// A required column is absent; `header` lists the columns found.
    case missingColumn(String, header: [String])
    /// Two header columns map to the same field (e.g. `date` and `timestamp`).
    case duplicateColumn(String)
    /// The header breaks a rule of the reader's kind of file (the message says which).
    case badHeader(String)
    /// The header is followed by no data row.
    case noRows
    /// Some rows are invalid: the first issues (at most the reader's limit) and the count of bad rows.
    case invalidRows([CSVIssue], badRowCount: Int)
    /// More bytes were fed after `finish()` (or after a fatal error).
    case finished
    /// A line exceeds the reader's limit (no line break within `limit` bytes).
    case lineTooLong(line: Int, limit: Int)

    /// A message fit for a user.
    public var description: String {
        switch self {
        case .empty:
            return "The CSV file is empty (no header line)."
        case .missingColumn(let name, let header):
            return "The CSV header has no \(name) column (found: \(header.joined(separator: ", ")))."
        case .duplicateColumn(let name):
            return "The CSV header has more than one \(name) column."
        case .badHeader(let message):
            return message
        case .noRows:
            return "The CSV file has a header but no data rows."
        case .invalidRows(let issues, let count):
            let shown = issues.map { "  " + $0.description }.joined(separator: "\n")
            return "The CSV file has \(count) invalid row\(count == 1 ? "" : "s"):\n" + shown
        case .finished:
            return "The CSV reader was already finished."
        case .lineTooLong(let line, let limit):
            return "Line \(line) of the CSV file is longer than \(limit) bytes."
        }
    }
}
