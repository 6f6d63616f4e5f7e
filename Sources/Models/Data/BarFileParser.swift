import Quant

/// Reads an uploaded price file as it arrives and turns each good row into a line of
/// `COPY` text for the staging table (`line, symbol, ts, open, high, low, close, volume,
/// extra`), so no more than one line is ever held.
///
/// Layouts: wide (`date,open,high,low,close[,volume]`, one symbol named by the caller) and
/// long (with a `tic`/`symbol`/`ticker` column, as TradeMaster's files). Header names are
/// matched case-insensitively with the aliases of ``CSVField``; every other column is an
/// extra numeric column (empty, `nan` or `null` are stored as NULL). Dates and numbers go
/// through the same parsers as Quant's CSV reader. Each row is checked: prices positive and
/// finite, volume finite and not negative, high ≥ max(open, close), low ≤ min(open, close);
/// a bad row is reported (the first ``maximumIssues`` kept) and not written.
///
/// With ``datasetID`` set, rows are written as `bars` rows (the id first, the wide file's
/// ``wideSymbol``) while every symbol's times increase, and the statistics of the summary are
/// accumulated on the way; the first row that breaks the order switches the output to the
/// staging table's shape (the line number first) for the rest of the file, and the store
/// checks duplicates and sorts those rows when it is loaded.
public struct BarFileParser {
    /// Where the COPY text of a piece of output goes.
    public enum Target: Sendable {
        /// Rows for `bars`, the dataset id first.
        case bars
        /// Rows for the staging table, the line number first.
        case stage
    }
    /// What each column of the file holds.
    public private(set) var columns: [DatasetColumn] = []
    /// The first issues, in line order.
    public private(set) var issues: [CSVIssue] = []
    /// How many bad values there were in all.
    public private(set) var errorCount = 0
    /// Rows written.
    public private(set) var rowCount = 0
    /// Bytes read.
    public private(set) var byteCount = 0
    /// How many issues are kept.
    public var maximumIssues = 100
    /// The longest line accepted.
    public var maximumLineLength = 1 << 20

    /// The dataset whose `bars` the rows go to directly while they are in order (nil: all
    /// rows go to the staging table).
    public var datasetID: Int64?
    /// A wide file's symbol when ``datasetID`` is set (else the store names it at the end).
    public var wideSymbol = ""
    /// Where rows go now.
    public private(set) var target = Target.stage
    /// The summary statistics of the rows written to `bars` in order.
    private(set) var statistics = BarStatistics(extras: 0)

    private var pending: [UInt8] = []
    private var line = 0
    private var roles: [DatasetColumn.Role] = []
    private var extraCount = 0
    private var hasVolume = false
    private var out: [UInt8] = []
    private var fields: [Range<Int>] = []
    private var extraValues: [Double] = []
    private var prefix: [UInt8] = []
    private var wideBytes: [UInt8] = []

    /// A parser. Without ``datasetID``, rows of a wide file get an empty symbol: the store
    /// names it when the file ends (a form may send the `symbol` field after the file).
    public init() {}

    /// The layout the header announced (nil before the header).
    public var layout: DatasetLayout? {
        columns.isEmpty ? nil : (roles.contains(.symbol) ? .long : .wide)
    }

    /// Parses `chunk` (lines may be split anywhere) and hands the COPY text of its complete
    /// good rows to `sink`.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, into sink: ([UInt8], Target) throws -> Void) throws {
        if line == 0 && byteCount == 0, let datasetID {
            target = .bars
            prefix = Array(String(datasetID).utf8)
            wideBytes = Self.escaped(Array(wideSymbol.utf8))
        }
        byteCount += chunk.count
        var start = 0
        while start < chunk.count {
            guard let newline = chunk[start...].firstIndex(of: 10) else {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start...]))
                if pending.count > maximumLineLength { throw DatasetError.lineTooLong(line: line + 1, limit: maximumLineLength) }
                break
            }
            if pending.isEmpty {
                try process(UnsafeBufferPointer(rebasing: chunk[start..<newline]), sink)
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<newline]))
                let held = pending
                pending.removeAll(keepingCapacity: true)
                try held.withUnsafeBufferPointer { try process($0, sink) }
            }
            start = newline + 1
        }
        if !out.isEmpty {
            try sink(out, target)
            out.removeAll(keepingCapacity: true)
        }
    }

    /// Ends the file: the last line without a newline, then checks that there was a header and a row.
    public mutating func finish(into sink: ([UInt8], Target) throws -> Void) throws {
        if !pending.isEmpty {
            let held = pending
            pending = []
            try held.withUnsafeBufferPointer { try process($0, sink) }
        }
        if !out.isEmpty {
            try sink(out, target)
            out.removeAll()
        }
        guard !columns.isEmpty else { throw DatasetError.badFile("The file is empty: a header line and rows are required.") }
        if rowCount == 0 && errorCount == 0 { throw DatasetError.badFile("The file has a header but no data rows.") }
    }

    private mutating func process(_ raw: UnsafeBufferPointer<UInt8>, _ sink: ([UInt8], Target) throws -> Void) throws {
        line += 1
        var end = raw.count
        if end > 0, raw[end - 1] == 13 { end -= 1 }
        var start = 0
        if line == 1, end >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF { start = 3 }
        let b = UnsafeBufferPointer(rebasing: raw[start..<end])
        if b.allSatisfy({ $0 == 32 || $0 == 9 }) { return }
        Self.split(b, into: &fields)
        if columns.isEmpty { return try header(fields, b) }
        try row(fields, b, sink)
    }

    /// Field bounds (trimmed, quotes removed) of a line, into `fields` (reused).
    private static func split(_ b: UnsafeBufferPointer<UInt8>, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        var i = 0
        while true {
            var fs = i
            while fs < b.count, b[fs] == 32 || b[fs] == 9 { fs += 1 }
            var fe: Int, next: Int
            if fs < b.count, b[fs] == 34 {
                var q = fs + 1
                while q < b.count, b[q] != 34 { q += 1 }
                fe = q
                fs += 1
                next = q + 1
                while next < b.count, b[next] != 44 { next += 1 }
            } else {
                next = fs
                while next < b.count, b[next] != 44 { next += 1 }
                fe = next
                while fe > fs, b[fe - 1] == 32 || b[fe - 1] == 9 { fe -= 1 }
            }
            fields.append(fs..<max(fs, fe))
            if next >= b.count { return }
            i = next + 1
        }
    }

    private mutating func header(_ fields: [Range<Int>], _ b: UnsafeBufferPointer<UInt8>) throws {
        var seen: Set<DatasetColumn.Role> = []
        var columns: [DatasetColumn] = []
        var names: Set<String> = []
        for range in fields {
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
            guard !name.isEmpty, name.unicodeScalars.count <= 64,
                  !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw DatasetError.badFile("Header column \(columns.count + 1) must be a name of 1 to 64 characters.")
            }
            guard names.insert(name.lowercased()).inserted else { throw DatasetError.badFile("The header names the column \(name) twice.") }
            var role = DatasetColumn.Role.extra
            switch CSVField.allCases.first(where: { $0.aliases.contains(name.lowercased()) }) {
            case .date: role = .date
            case .symbol: role = .symbol
            case .open: role = .open
            case .high: role = .high
            case .low: role = .low
            case .close: role = .close
            case .volume: role = .volume
            case .adjustedClose, nil: role = .extra
            }
            if role != .extra {
                guard seen.insert(role).inserted else { throw DatasetError.badFile("The header has more than one \(role.rawValue) column.") }
            }
            columns.append(DatasetColumn(name: name, role: role))
        }
        for required in [DatasetColumn.Role.date, .open, .high, .low, .close] where !seen.contains(required) {
            throw DatasetError.badFile("The header has no \(required.rawValue) column (found: \(columns.map(\.name).joined(separator: ", "))).")
        }
        self.columns = columns
        roles = columns.map(\.role)
        extraCount = roles.filter { $0 == .extra }.count
        hasVolume = seen.contains(.volume)
        statistics = BarStatistics(extras: extraCount)
        if !seen.contains(.symbol) { _ = statistics.symbolIndex(UnsafeBufferPointer(start: nil, count: 0)) }
        extraValues = Array(repeating: .nan, count: extraCount)
    }

    private mutating func report(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ reason: String) {
        errorCount += 1
        guard issues.count < maximumIssues else { return }
        var value = String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
        if value.count > 40 { value = String(value.prefix(40)) + "…" }
        issues.append(CSVIssue(line: line, column: column < columns.count ? columns[column].name : "*", value: value, reason: reason))
    }

    private mutating func row(_ fields: [Range<Int>], _ b: UnsafeBufferPointer<UInt8>, _ sink: ([UInt8], Target) throws -> Void) throws {
        guard fields.count == columns.count else {
            errorCount += 1
            if issues.count < maximumIssues {
                issues.append(CSVIssue(line: line, column: "*", value: "", reason: "expected \(columns.count) fields, found \(fields.count)"))
            }
            return
        }
        let errorsBefore = errorCount
        var ts: Int64 = 0
        var prices = (o: 0.0, h: 0.0, l: 0.0, c: 0.0, v: 0.0)
        var at = (o: 0, h: 0, l: 0, c: 0, v: -1)
        var symbol: Range<Int>?
        var extra = 0
        for k in 0..<fields.count {
            let range = fields[k]
            let field = UnsafeBufferPointer(rebasing: b[range])
            switch roles[k] {
            case .date:
                switch CSVTimestamp.parse(field) {
                case .success(let value) where (Self.earliest...Self.latest).contains(value): ts = value
                case .success: report(k, b, range, "outside the years 0001 to 9999")
                case .failure(let invalid): report(k, b, range, invalid.reason)
                }
            case .symbol:
                if field.isEmpty || field.count > 64 || field.contains(where: { $0 < 32 || $0 == 127 }) {
                    report(k, b, range, field.isEmpty ? "missing symbol" : "a symbol has 1 to 64 printable characters")
                } else {
                    symbol = range
                }
            case .open, .high, .low, .close:
                guard let value = number(k, b, range, positive: true) else { continue }
                switch roles[k] {
                case .open: prices.o = value; at.o = k
                case .high: prices.h = value; at.h = k
                case .low: prices.l = value; at.l = k
                default: prices.c = value; at.c = k
                }
            case .volume:
                if let value = number(k, b, range, positive: false) { prices.v = value; at.v = k }
            case .extra:
                if Self.isNull(field) {
                    extraValues[extra] = .nan
                } else if let value = CSVNumber.parse(field), value.isFinite {
                    extraValues[extra] = value
                } else {
                    report(k, b, range, "not a number")
                }
                extra += 1
            }
        }
        if errorCount == errorsBefore {
            if prices.h < max(prices.o, prices.c) { report(at.h, b, fields[at.h], "high is below max(open, close)") }
            if prices.l > min(prices.o, prices.c) { report(at.l, b, fields[at.l], "low is above min(open, close)") }
        }
        guard errorCount == errorsBefore else { return }
        rowCount += 1
        if target == .bars {
            let k: Int
            if let symbol { k = statistics.symbolIndex(UnsafeBufferPointer(rebasing: b[symbol])) } else { k = 0 }
            if statistics.follows(k, ts) {
                statistics.add(k, ts: ts, open: prices.o, high: prices.h, low: prices.l, close: prices.c, volume: prices.v)
                for e in 0..<extraCount where !extraValues[e].isNaN { statistics.addExtra(e, extraValues[e]) }
            } else {
                // Out of order: what is written so far goes to bars, the rest to the staging table.
                if !out.isEmpty { try sink(out, .bars) }
                out.removeAll(keepingCapacity: true)
                target = .stage
                statistics.markOutOfOrder()
            }
        }
        if target == .bars { out.append(contentsOf: prefix) } else { appendInteger(Int64(line)) }
        out.append(9)
        if let symbol {
            Self.appendEscaped(UnsafeBufferPointer(rebasing: b[symbol]), to: &out)
        } else if datasetID != nil {
            out.append(contentsOf: wideBytes)
        }
        out.append(9)
        appendInteger(ts)
        // Numbers go to PostgreSQL as written: float8 input is correctly rounded, like DecimalParser.
        for k in 0..<4 {
            out.append(9)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[fields[k == 0 ? at.o : k == 1 ? at.h : k == 2 ? at.l : at.c]]))
        }
        out.append(9)
        if at.v >= 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[fields[at.v]])) } else { out.append(48) }
        out.append(9)
        if extraCount == 0 {
            out.append(92)
            out.append(78)
        } else {
            out.append(123)
            var first = true
            for k in 0..<roles.count where roles[k] == .extra {
                if !first { out.append(44) }
                first = false
                let field = UnsafeBufferPointer(rebasing: b[fields[k]])
                if Self.isNull(field) {
                    out.append(contentsOf: [78, 85, 76, 76])
                } else {
                    out.append(contentsOf: field)
                }
            }
            out.append(125)
        }
        out.append(10)
    }

    /// Appends `value` in decimal.
    private mutating func appendInteger(_ value: Int64) {
        if value < 0 { out.append(45) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times every JSON answer can carry.
    static let earliest: Int64 = -62_135_596_800, latest: Int64 = 253_402_300_799

    /// A price (positive) or volume (not negative), or nil after reporting why not.
    private mutating func number(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, positive: Bool) -> Double? {
        let field = UnsafeBufferPointer(rebasing: b[range])
        guard !field.isEmpty else { report(k, b, range, "missing value"); return nil }
        guard let value = CSVNumber.parse(field) else { report(k, b, range, "not a number"); return nil }
        guard value.isFinite else { report(k, b, range, "not a finite number (out of range)"); return nil }
        if positive && value <= 0 { report(k, b, range, "\(columns[k].name) must be a positive price"); return nil }
        if !positive && value < 0 { report(k, b, range, "volume must not be negative"); return nil }
        return value
    }

    /// Empty, `nan` or `null` (any case): a missing extra value.
    private static func isNull(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        guard field.count <= 4 else { return false }
        let lower = field.lazy.map { $0 | 0x20 }
        return lower.elementsEqual("nan".utf8) || lower.elementsEqual("null".utf8) || lower.elementsEqual("na".utf8)
    }

    /// `bytes` escaped for COPY's text format (backslash; control characters are refused earlier).
    private static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        return out
    }

    /// Appends `bytes` escaped for COPY's text format.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 92 || $0 < 32 }) else { return out.append(contentsOf: bytes) }
        for byte in bytes {
            switch byte {
            case 92: out += [92, 92]
            case 9: out += [92, 116]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            default: out.append(byte)
            }
        }
    }
}
