import Foundation
import Support

/// The analysis of a market-dynamics labelling as the service returns it: a CSV with one
/// row per market dynamic (`average_k_list_mean`, `average_k_list_std`, …), the first column
/// often pandas' unnamed index. Quoted fields (RFC 4180) are read; cells that are numbers
/// become numbers.
public struct AnalysisTable: Sendable, Equatable {
    /// The name its CSV bytes are kept under with the analysis's images.
    public static let storedName = "analysis_csv"
    /// The most rows or columns read (the service writes a handful).
    public static let limit = 1000

    /// Column names; an empty header cell is named `index`.
    public var columns: [String]
    /// The cells, one array per row, as long as `columns`.
    public var rows: [[String]]

    /// The table of `csv`, or nil when it has no header or a row's length differs from it.
    public init?(csv: String) {
        let records = Self.records(csv)
        guard let header = records.first, !header.isEmpty, header.count <= Self.limit, records.count <= Self.limit + 1 else { return nil }
        columns = header.enumerated().map { $0.element.isEmpty ? ($0.offset == 0 ? "index" : "column_\($0.offset)") : $0.element }
        rows = Array(records.dropFirst())
        guard rows.allSatisfy({ $0.count == columns.count }) else { return nil }
    }

    /// The rows as JSON objects by column, numbers as numbers (NaN and infinities as null).
    public var json: JSONDocument {
        .array(
            rows.map { row in
                var object = JSONObject()
                for (name, cell) in zip(columns, row) { object[name] = Self.value(cell) }
                return .object(object)
            })
    }

    static func value(_ cell: String) -> JSONDocument {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        if let integer = Int64(trimmed) { return .integer(integer) }
        if let number = Double(trimmed), !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) {
            return number.isFinite ? .number(number) : .null
        }
        if ["nan", "inf", "-inf"].contains(trimmed.lowercased()) { return .null }
        return .string(cell)
    }

    /// The records of `text`, quotes honoured; blank lines skipped.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character?
        func endRecord() {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\n", "\r\n", "\r": endRecord()
            default: field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        return records
    }
}
