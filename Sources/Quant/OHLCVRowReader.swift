#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one parser of OHLCV price files: `tm backtest`'s reader (``OHLCVCSVReader``) and the
/// upload's COPY writer (`BarFileParser` in Models) both feed their bytes through it and get
/// the same rules and the same messages.
///
/// It cuts chunks into lines (a line may be split anywhere; CR LF, a UTF-8 BOM and blank
/// lines are accepted), maps the header (case-insensitive aliases, see ``CSVField``), and
/// checks every row: the field count; dates, date-times and epoch seconds in the years 0001
/// to 9999; symbols of 1 to 64 printable characters; numbers (correctly rounded), finite,
/// prices positive, volume not negative; high ≥ max(open, close), low ≤ min(open, close).
/// Fields may be double-quoted (quoted fields must not contain line breaks). A bad row is
/// reported (the first ``maximumIssues`` kept) and skipped; a good row goes to the sink.
public struct OHLCVRowReader: Sendable {
    /// What a kind of file requires beyond the common rules.
    public struct Rules: Sendable {
        /// Whether open, high and low are required (else all three or none; without them
        /// they equal the close).
        public var requiresOpenHighLow: Bool
        /// Whether the adjusted close is a field (else it is an extra column).
        public var readsAdjustedClose: Bool
        /// Whether extra columns must hold numbers or nothing (else they are ignored).
        public var checksExtraColumns: Bool

        /// `tm backtest` and the analytics: date and close required, other columns ignored.
        public static let series = Rules(requiresOpenHighLow: false, readsAdjustedClose: true, checksExtraColumns: false)
        /// An uploaded dataset: date and all four prices required, extra columns numeric.
        public static let dataset = Rules(requiresOpenHighLow: true, readsAdjustedClose: false, checksExtraColumns: true)
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the times every JSON answer can carry.
    public static let earliest: Int64 = -62_135_596_800, latest: Int64 = 253_402_300_799

    /// The rules of this file's kind.
    public let rules: Rules
    /// How many issues are kept (the counts keep counting past it).
    public var maximumIssues: Int
    /// The longest line accepted, in bytes (a bound on what a stream can make the reader hold).
    public var maximumLineLength: Int
    /// The header's column names as written (empty before the header).
    public private(set) var columns: [String] = []
    /// The first issues, in line order.
    public private(set) var issues: [CSVIssue] = []
    /// Rows refused.
    public private(set) var badRowCount = 0
    /// Bad values in all (a row may have several).
    public private(set) var badValueCount = 0
    /// Rows the sink took.
    public private(set) var rowCount = 0
    /// Bytes fed.
    public private(set) var byteCount = 0

    private var header: CSVHeader?
    private var pending: [UInt8] = []
    var line = 0
    var fields: [Range<Int>] = []
    private var extraValues: [Double] = []
    /// The field of each column: 0 extra, then date, symbol, open, high, low, close, adjcp, volume.
    private var roles: [UInt8] = []
    private var hasOHL = false
    /// The columns of the date, the high and the low (where their rows' issues are reported).
    private var dateColumn = 0, highColumn = 0, lowColumn = 0
    /// Whether ``fastRows(_:from:_:)`` may take this file's rows.
    private var fastLane = false
    /// The usual layout this file has, whose rows ``plainRows(_:from:_:_:)`` reads, if any.
    private var layout: PlainLayout.Type?
    /// The date field of the previous fast row and its day number (minute bars repeat a date
    /// hundreds of times; the calendar arithmetic is done once per date).
    private var lastDate: (word: UInt64, tail: UInt16, days: Int64) = (0, 0, 0)

    /// A reader of files of the kind `rules` describes.
    public init(rules: Rules, maximumIssues: Int = 100, maximumLineLength: Int = 1 << 20) {
        self.rules = rules
        self.maximumIssues = maximumIssues
        self.maximumLineLength = maximumLineLength
    }

    /// The field column `k` holds, or nil for an extra column.
    public func field(ofColumn k: Int) -> CSVField? {
        guard k < roles.count, roles[k] > 0 else { return nil }
        return [CSVField.date, .symbol, .open, .high, .low, .close, .adjustedClose, .volume][Int(roles[k]) - 1]
    }

    /// Reads the lines completed by `chunk` and hands their good rows to `sink`.
    public mutating func feed<Sink: OHLCVRowSink>(_ chunk: UnsafeBufferPointer<UInt8>, into sink: inout Sink) throws(CSVError) {
        byteCount += chunk.count
        var start = 0
        let n = chunk.count
        if !pending.isEmpty {
            guard let nl = Self.newline(in: chunk, from: 0) else {
                pending.append(contentsOf: chunk)
                return try checkPending()
            }
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<nl]))
            let held = pending
            pending.removeAll(keepingCapacity: true)
            try held.withUnsafeBufferPointer { (b) throws(CSVError) in try process(b, 0, b.count, &sink) }
            start = nl + 1
        }
        if header != nil, fastLane { start = fastLaneRows(chunk, from: start, &sink) }
        while start < n, let nl = Self.newline(in: chunk, from: start) {
            try process(chunk, start, nl, &sink)
            start = nl + 1
            if fastLane { start = fastLaneRows(chunk, from: start, &sink) }
        }
        if start < n { pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start...])) }
        try checkPending()
    }

    /// Ends the file: reads its last line, then throws when it had no header or no rows at all.
    public mutating func finish<Sink: OHLCVRowSink>(into sink: inout Sink) throws(CSVError) {
        if !pending.isEmpty {
            let held = pending
            pending = []
            try held.withUnsafeBufferPointer { (b) throws(CSVError) in try process(b, 0, b.count, &sink) }
        }
        guard header != nil else { throw .empty }
        if rowCount == 0 && badRowCount == 0 { throw .noRows }
    }

    private func checkPending() throws(CSVError) {
        if pending.count > maximumLineLength { throw .lineTooLong(line: line + 1, limit: maximumLineLength) }
    }

    private static func newline(in buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < buf.count, let base = buf.baseAddress else { return nil }
        guard let hit = memchr(base + from, 10, buf.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func process<Sink: OHLCVRowSink>(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ rawEnd: Int, _ sink: inout Sink
    ) throws(CSVError) {
        line += 1
        var end = rawEnd
        if end > start, b[end - 1] == 13 { end -= 1 }
        var s = start
        if line == 1, end - s >= 3, b[s] == 0xEF, b[s + 1] == 0xBB, b[s + 2] == 0xBF { s += 3 }
        var k = s
        while k < end, b[k] == 32 || b[k] == 9 { k += 1 }
        if k == end { return }
        if header == nil {
            try parseHeader(b, s, end)
            try sink.begin(self)
        } else {
            parseRow(b, s, end, &sink)
        }
    }

    /// The fast lane: ``plainRows(_:from:_:_:)`` for the usual layouts, else ``fastRows(_:from:_:)``.
    private mutating func fastLaneRows<Sink: OHLCVRowSink>(_ b: UnsafeBufferPointer<UInt8>, from: Int, _ sink: inout Sink) -> Int {
        switch layout {
        case let layout as WideLayout.Type: return plainRows(b, from: from, &sink, layout)
        case let layout as LongLayout.Type: return plainRows(b, from: from, &sink, layout)
        default: return fastRows(b, from: from, &sink)
        }
    }

    /// Reads complete rows from `from` for as long as each is plain (no quotes, spaces, blank
    /// lines, or a value the checks refuse), straight into `sink`, and returns where it stopped:
    /// at the start of the first line it did not take, which the general path then reads (and
    /// reports if bad), or at `b.count`. Its rows are the ones the general path would take,
    /// with the same values, symbols, extra values and field ranges.
    private mutating func fastRows<Sink: OHLCVRowSink>(_ b: UnsafeBufferPointer<UInt8>, from: Int, _ sink: inout Sink) -> Int {
        let n = b.count
        let columnCount = roles.count
        let roleList = roles
        let checksExtras = rules.checksExtraColumns
        var ranges = fields
        var extraList = extraValues
        fields = []  // the only references while the rows are read: no copy
        extraValues = []
        var start = from
        var read = 0
        let symbolColumn = roleList.firstIndex(of: 2)
        roleList.withUnsafeBufferPointer { role in
            ranges.withUnsafeMutableBufferPointer { field in
                extraList.withUnsafeMutableBufferPointer { extras in
                    rows: while start < n {
                        var values = OHLCVRowValues()
                        var i = start
                        var k = 0
                        var extra = 0
                        // Each field must end at a comma, or the last at the line's end.
                        while true {
                            let r = role[k]
                            var stop: Int
                            if r >= 3 {
                                let (parsed, end) = DecimalParser.scan(b, i, n)
                                guard let value = parsed, end > i, OHLCVRowValues.accepts(value, role: r) else { break rows }
                                values.set(value, role: r)
                                stop = end
                            } else if r == 1 {
                                guard let (t, end) = fastDate(b, i, n), t >= Self.earliest else { break rows }
                                values.timestamp = t
                                stop = end
                            } else if r == 2 {
                                guard let end = Self.plainSymbolEnd(b, i) else { break rows }
                                stop = end
                            } else if checksExtras {
                                guard let (value, end) = Self.plainExtra(b, i) else { break rows }
                                extras[extra] = value
                                extra += 1
                                stop = end
                            } else {
                                // An ignored extra column: anything but a quote up to the comma.
                                stop = i
                                while stop < n, b[stop] != 44, b[stop] != 10, b[stop] != 13 {
                                    if b[stop] == 34 || b[stop] == 32 || b[stop] == 9 { break rows }
                                    stop += 1
                                }
                            }
                            guard stop < n else { break rows }
                            field[k] = i..<stop
                            k += 1
                            if k == columnCount {
                                if b[stop] == 10 {
                                    i = stop + 1
                                } else if b[stop] == 13, stop + 1 < n, b[stop + 1] == 10 {
                                    i = stop + 2
                                } else {
                                    break rows
                                }
                                break
                            }
                            guard b[stop] == 44 else { break rows }
                            i = stop + 1
                        }
                        guard !hasOHL || (values.highIsConsistent && values.lowIsConsistent) else { break rows }
                        line += 1
                        let refusal = sink.take(
                            values.row(
                                line: line, hasOHL: hasOHL, bytes: b, fields: UnsafeBufferPointer(field),
                                extras: UnsafeBufferPointer(extras), symbolColumn: symbolColumn))
                        tally(refusal, b, field[dateColumn], dateColumn)
                        start = i
                        read += 1
                        if read == 64 { sink.expect(rows: (n - start) / ((start - from) / 64 + 1) + 1) }
                    }
                }
            }
        }
        fields = ranges
        extraValues = extraList
        return start
    }

    /// The end of a plain symbol at `b[i...]` (1 to 64 printable bytes, no quote, not starting or
    /// ending with a space), or nil. Out of line, as ``plainExtra(_:_:)``: the row loop stays
    /// small enough for its number and date parsers to be inlined.
    @inline(never)
    static func plainSymbolEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = b.count
        var stop = i
        while stop < n, b[stop] != 44 {
            let c = b[stop]
            if c < 32 || c == 127 || c == 34 { break }
            stop += 1
        }
        guard stop > i, stop - i <= 64, b[i] != 32, b[stop - 1] != 32 else { return nil }
        return stop
    }

    /// A checked extra value at `b[i...]`: a finite number, or NaN for empty, `nan`, `na` or
    /// `null` (any case), and the index after it; nil for anything else (the general path's).
    @inline(never)
    private static func plainExtra(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Double, Int)? {
        let n = b.count
        // The digit loop gives what `scan` gives (tested).
        let (parsed, end) = DecimalParser.scanDigits(b, i, n)
        if let value = parsed, end > i, value.isFinite { return (value, end) }
        var stop = i
        while stop < n, stop - i < 5, b[stop] | 0x20 >= 97, b[stop] | 0x20 <= 122 { stop += 1 }
        return isNull(b, i..<stop) ? (.nan, stop) : nil
    }

    /// A `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` date at `b[i...]` ending at a comma or line end:
    /// its time and the index after it, or nil for any other form (the general parser's).
    @inline(__always)
    mutating func fastDate(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> (Int64, Int)? {
        @inline(__always) func ends(_ at: Int) -> Bool { at < n && (b[at] == 44 || b[at] == 10 || b[at] == 13) }
        let stop = ends(i + 19) ? i + 19 : (ends(i + 10) ? i + 10 : -1)
        guard stop > 0, let base = b.baseAddress else { return nil }
        let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
        let tail = UnsafeRawPointer(base + i + 8).loadUnaligned(as: UInt16.self)
        if word == lastDate.word, tail == lastDate.tail, lastDate.word != 0 {
            // The same date as the previous row: only the time of day is new.
            guard stop == i + 10 else {
                guard let seconds = TimestampParser.parseTimeOfDay(b, i + 10) else { return nil }
                return (lastDate.days &* 86_400 &+ Int64(seconds), stop)
            }
            return (lastDate.days &* 86_400, stop)
        }
        guard let t = TimestampParser.parseFixed(b, i, stop) else { return nil }
        guard let midnight = TimestampParser.parseFixed(b, i, i + 10) else { return nil }
        lastDate = (word, tail, midnight / 86_400)
        return (t, stop)
    }

    /// The bounds of the field starting at `from` (trimmed, unquoted) and the index of its comma (or the end).
    @inline(__always)
    private static func nextField(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> (Int, Int, Int) {
        var fs = from
        while fs < end, b[fs] == 32 || b[fs] == 9 { fs += 1 }
        var i: Int
        var fe: Int
        if fs < end, b[fs] == 34 {
            var q = fs + 1
            while q < end {
                if b[q] == 34 {
                    if q + 1 < end, b[q + 1] == 34 {
                        q += 2
                        continue
                    }
                    break
                }
                q += 1
            }
            fe = min(q, end)
            fs += 1
            i = q + 1
            while i < end, b[i] != 44 { i += 1 }
        } else {
            i = fs
            while i < end, b[i] != 44 { i += 1 }
            fe = i
            while fe > fs, b[fe - 1] == 32 || b[fe - 1] == 9 { fe -= 1 }
        }
        return (fs, max(fs, fe), i)
    }

    private mutating func parseHeader(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(CSVError) {
        var found: [String] = []
        var i = start
        while true {
            let (fs, fe, next) = Self.nextField(b, i, end)
            found.append(String(decoding: UnsafeBufferPointer(rebasing: b[fs..<fe]), as: UTF8.self))
            if next >= end { break }
            i = next + 1
        }
        let parsed = try CSVHeader(names: found, requiresOpenHighLow: rules.requiresOpenHighLow)
        roles = [UInt8](repeating: 0, count: found.count)
        let known: [(Int, UInt8)] = [
            (parsed.date, 1), (parsed.symbol, 2), (parsed.open, 3), (parsed.high, 4), (parsed.low, 5),
            (parsed.close, 6), (rules.readsAdjustedClose ? parsed.adjustedClose : -1, 7), (parsed.volume, 8),
        ]
        for (column, role) in known where column >= 0 { roles[column] = role }
        hasOHL = parsed.open >= 0
        (dateColumn, highColumn, lowColumn) = (parsed.date, max(parsed.high, 0), max(parsed.low, 0))
        // The fast lane takes rows of plain fields of every kind; anything else goes the general way.
        fastLane = true
        layout = Self.plainLayout(of: roles)
        fields = Array(repeating: 0..<0, count: found.count)
        extraValues = rules.checksExtraColumns ? Array(repeating: .nan, count: roles.filter { $0 == 0 }.count) : []
        columns = found
        header = parsed
    }

    /// Counts a row the sink took, or reports the sink's refusal of it at the field in `range`.
    @inline(__always)
    mutating func tally(_ refusal: String?, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ column: Int) {
        if let refusal {
            report(b, range, column, refusal)
            badRowCount += 1
        } else {
            rowCount += 1
        }
    }

    mutating func report(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ column: Int, _ reason: String) {
        badValueCount += 1
        guard issues.count < maximumIssues else { return }
        var value = String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
        if value.count > 40 { value = String(value.prefix(40)) + "…" }
        issues.append(CSVIssue(line: line, column: columns[column], value: value, reason: reason))
    }

    /// A price (or, when `isVolume`, a volume) field; reports and clears `ok` when invalid.
    @inline(__always)
    private mutating func number(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ column: Int, isVolume: Bool, _ ok: inout Bool
    ) -> Double {
        if !range.isEmpty, let v = DecimalParser.parse(b, range.lowerBound, range.upperBound), v.isFinite, isVolume ? v >= 0 : v > 0 {
            return v
        }
        ok = false
        report(b, range, column, Self.invalidNumber(b, range, isVolume ? nil : columns[column]))
        return .nan
    }

    /// Why a field is not a price (of the column `price`) or, with nil, not a volume.
    private static func invalidNumber(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ price: String?) -> String {
        guard !range.isEmpty else { return "missing value" }
        if let v = DecimalParser.parse(b, range.lowerBound, range.upperBound) {
            if !v.isFinite { return "not a finite number (out of range)" }
            return price.map { "\($0) must be a positive price" } ?? "volume must not be negative"
        }
        let lower = String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self).lowercased()
        return ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(lower) ? "not a finite number" : "not a number"
    }

    /// Empty, `nan`, `na` or `null` (any case): a missing extra value.
    private static func isNull(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        if range.isEmpty { return true }
        guard range.count <= 4 else { return false }
        let lower = b[range].lazy.map { $0 | 0x20 }
        return lower.elementsEqual("nan".utf8) || lower.elementsEqual("null".utf8) || lower.elementsEqual("na".utf8)
    }

    private mutating func parseRow<Sink: OHLCVRowSink>(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ sink: inout Sink) {
        let issuesBefore = issues.count
        let valuesBefore = badValueCount
        let columnCount = roles.count
        var ok = true
        var values = OHLCVRowValues()
        var symbolAt: Int?
        var extra = 0
        var k = 0
        var i = start
        while true {
            let role: UInt8 = k < columnCount ? roles[k] : 0
            // Fast paths: a plain number or fixed-format date directly followed by a comma (or
            // the end), parsed in the same scan that finds the field's end.
            var j = i
            while j < end, b[j] == 32 { j += 1 }
            if role >= 3 {
                let (value, stop) = DecimalParser.scan(b, j, end)
                if let value, stop == end || b[stop] == 44, OHLCVRowValues.accepts(value, role: role) {
                    values.set(value, role: role)
                    fields[k] = j..<stop
                    k += 1
                    if stop >= end { break }
                    i = stop + 1
                    continue
                }
            } else if role == 1 {
                let stop =
                    j + 19 <= end && (j + 19 == end || b[j + 19] == 44)
                    ? j + 19
                    : (j + 10 <= end && (j + 10 == end || b[j + 10] == 44) ? j + 10 : -1)
                if stop > 0, let t = TimestampParser.parseFixed(b, j, stop), t >= Self.earliest {
                    values.timestamp = t
                    fields[k] = j..<stop
                    k += 1
                    if stop >= end { break }
                    i = stop + 1
                    continue
                }
            }
            let (fs, fe, next) = Self.nextField(b, i, end)
            if k < columnCount {
                let range = fs..<fe
                fields[k] = range
                switch roles[k] {
                case 0:
                    if rules.checksExtraColumns {
                        if Self.isNull(b, range) {
                            extraValues[extra] = .nan
                        } else if let value = DecimalParser.parse(b, fs, fe), value.isFinite {
                            extraValues[extra] = value
                        } else {
                            report(b, range, k, "not a number")
                            ok = false
                        }
                        extra += 1
                    }
                case 1:
                    switch TimestampParser.parse(b, fs, fe) {
                    case .value(let t) where (Self.earliest...Self.latest).contains(t): values.timestamp = t
                    case .value:
                        report(b, range, k, "outside the years 0001 to 9999")
                        ok = false
                    case .invalid(let reason):
                        report(b, range, k, reason)
                        ok = false
                    }
                case 2:
                    symbolAt = k
                    if range.isEmpty || range.count > 64 || b[range].contains(where: { $0 < 32 || $0 == 127 }) {
                        report(b, range, k, range.isEmpty ? "missing symbol" : "a symbol has 1 to 64 printable characters")
                        ok = false
                    }
                case let role: values.set(number(b, range, k, isVolume: role == 8, &ok), role: role)
                }
            }
            k += 1
            if next >= end { break }
            i = next + 1
        }
        guard k == columnCount else {
            issues.removeSubrange(issuesBefore...)
            badValueCount = valuesBefore + 1
            if issues.count < maximumIssues {
                issues.append(CSVIssue(line: line, column: "*", value: "", reason: "expected \(columnCount) fields, found \(k)"))
            }
            badRowCount += 1
            return
        }
        if ok && hasOHL {
            if !values.highIsConsistent {
                report(b, fields[highColumn], highColumn, "high is below max(open, close)")
                ok = false
            }
            if !values.lowIsConsistent {
                report(b, fields[lowColumn], lowColumn, "low is above min(open, close)")
                ok = false
            }
        }
        if ok {
            // The row lends the reader's buffers for the call: no array is retained per row.
            let refusal = fields.withUnsafeBufferPointer { fieldRanges in
                extraValues.withUnsafeBufferPointer { extras in
                    sink.take(
                        values.row(
                            line: line, hasOHL: hasOHL, bytes: b, fields: fieldRanges, extras: extras, symbolColumn: symbolAt))
                }
            }
            if let refusal {
                report(b, fields[dateColumn], dateColumn, refusal)
                ok = false
            }
        }
        if ok { rowCount += 1 } else { badRowCount += 1 }
    }
}
