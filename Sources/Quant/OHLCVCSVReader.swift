#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming reader of OHLCV CSV files.
///
/// Feed it chunks of bytes as they arrive (`feed(_:)`), then call `finish()` for the series.
/// It detects the header (case-insensitive aliases, see `CSVField`), parses dates, date-times
/// and epoch seconds, and checks every row: numbers (correctly rounded), finiteness,
/// positive prices, non-negative volume, high ≥ max(open, close), low ≤ min(open, close),
/// and strictly increasing timestamps (per symbol in long format). Bad rows are skipped and
/// collected; `finish()` throws `CSVError.invalidRows` if there were any. Fields may be
/// double-quoted; quoted fields must not contain line breaks. Extra columns are ignored.
/// Without open/high/low columns, those fields equal the close; without volume, it is 0.
public struct OHLCVCSVReader: Sendable {
    /// How many issues are kept (the bad-row count keeps counting past it).
    public var maximumIssues: Int
    /// The longest line accepted, in bytes (a bound on what a stream can make the reader hold).
    public var maximumLineLength: Int

    private var pending: [UInt8] = []
    private var header: CSVHeader?
    private var line = 0
    private var done = false
    private var issues: [CSVIssue] = []
    private var badRows = 0
    private var timestamps: [Int64] = []
    private var open: [Double] = []
    private var high: [Double] = []
    private var low: [Double] = []
    private var close: [Double] = []
    private var volume: [Double] = []
    private var adjusted: [Double] = []
    private var symbols: [String] = []
    private var lastTimestamp: Int64 = .min
    private var lastBySymbol: [String: Int64] = [:]
    private var columnCount = 0
    private var names: [String] = []
    /// The field of each column: 0 ignored, then date, symbol, open, high, low, close, adjcp, volume.
    private var roles: [UInt8] = []
    private var hasOHL = false, hasVolume = false, hasAdjusted = false, hasSymbol = false

    /// A reader that keeps at most `maximumIssues` issues and accepts lines up to `maximumLineLength` bytes.
    public init(maximumIssues: Int = 100, maximumLineLength: Int = 1 << 20) {
        self.maximumIssues = maximumIssues
        self.maximumLineLength = maximumLineLength
    }

    /// Parses a whole buffer.
    public static func parse(_ bytes: [UInt8]) throws(CSVError) -> OHLCVSeries {
        var reader = OHLCVCSVReader()
        try reader.feed(bytes)
        return try reader.finish()
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
        let consumed: Int = { (buf: UnsafeBufferPointer<UInt8>) -> Int in
            var start = 0
            let n = buf.count
            if !pending.isEmpty {
                guard let nl = Self.newline(in: buf, from: 0) else {
                    pending.append(contentsOf: buf)
                    return n
                }
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<nl]))
                let held = pending
                pending.removeAll(keepingCapacity: true)
                held.withUnsafeBufferPointer { processLine($0, 0, $0.count) }
                start = nl + 1
            }
            while start < n, let nl = Self.newline(in: buf, from: start) {
                processLine(buf, start, nl)
                start = nl + 1
            }
            return start
        }(chunk)
        if consumed < chunk.count {
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[consumed...]))
        }
        if pending.count > maximumLineLength {
            done = true
            throw .lineTooLong(line: line + 1, limit: maximumLineLength)
        }
    }

    /// Ends the input and returns the series; throws if the file was empty or had bad rows.
    public mutating func finish() throws(CSVError) -> OHLCVSeries {
        guard !done else { throw .finished }
        if !pending.isEmpty {
            let held = pending
            pending = []
            held.withUnsafeBufferPointer { processLine($0, 0, $0.count) }
        }
        done = true
        if let error = headerError { throw error }
        guard let header else { throw .empty }
        if badRows > 0 { throw .invalidRows(issues, badRowCount: badRows) }
        guard !timestamps.isEmpty else { throw .noRows }
        return OHLCVSeries(
            unchecked: timestamps, open: header.column(.open) == nil ? close : open,
            high: header.column(.open) == nil ? close : high,
            low: header.column(.open) == nil ? close : low, close: close,
            volume: header.column(.volume) == nil ? [Double](repeating: 0, count: close.count) : volume,
            adjustedClose: header.column(.adjustedClose) == nil ? nil : adjusted,
            symbols: header.column(.symbol) == nil ? nil : symbols)
    }

    private var headerError: CSVError?

    private static func newline(in buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < buf.count, let base = buf.baseAddress else { return nil }
        guard let hit = memchr(base + from, 10, buf.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func processLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ rawEnd: Int) {
        line += 1
        var end = rawEnd
        if end > start, b[end - 1] == 13 { end -= 1 }
        var s = start
        if line == 1, end - s >= 3, b[s] == 0xEF, b[s + 1] == 0xBB, b[s + 2] == 0xBF { s += 3 }
        var k = s
        while k < end, b[k] == 32 || b[k] == 9 { k += 1 }
        if k == end { return }
        if columnCount > 0 {
            parseRow(b, s, end)
        } else if headerError == nil {
            parseHeader(b, s, end)
        }
    }

    /// The bounds of the field starting at `i` (trimmed, unquoted) and the index after its comma.
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
                    if q + 1 < end, b[q + 1] == 34 { q += 2; continue }
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
        return (fs, fe, i)
    }

    private mutating func parseHeader(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        var found: [String] = []
        var i = start
        while true {
            let (fs, fe, next) = Self.nextField(b, i, end)
            found.append(String(decoding: UnsafeBufferPointer(rebasing: b[fs..<max(fs, fe)]), as: UTF8.self))
            if next >= end { break }
            i = next + 1
        }
        do throws(CSVError) {
            let parsed = try CSVHeader(names: found)
            header = parsed
            names = found
            columnCount = found.count
            roles = [UInt8](repeating: 0, count: found.count)
            let fields: [(Int, UInt8)] = [
                (parsed.date, 1), (parsed.symbol, 2), (parsed.open, 3), (parsed.high, 4), (parsed.low, 5),
                (parsed.close, 6), (parsed.adjustedClose, 7), (parsed.volume, 8),
            ]
            for (column, role) in fields where column >= 0 { roles[column] = role }
            hasOHL = parsed.open >= 0
            hasVolume = parsed.volume >= 0
            hasAdjusted = parsed.adjustedClose >= 0
            hasSymbol = parsed.symbol >= 0
        } catch {
            headerError = error
        }
    }

    private func text(_ b: UnsafeBufferPointer<UInt8>, _ fs: Int, _ fe: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[fs..<max(fs, fe)]), as: UTF8.self)
    }

    private mutating func report(_ b: UnsafeBufferPointer<UInt8>, _ fs: Int, _ fe: Int, _ column: Int, _ reason: String) {
        if issues.count < maximumIssues {
            var value = text(b, fs, fe)
            if value.count > 40 { value = String(value.prefix(40)) + "…" }
            issues.append(CSVIssue(line: line, column: names[column], value: value, reason: reason))
        }
    }

    /// A price (or, when `isVolume`, a volume) field; reports and clears `ok` when invalid.
    @inline(__always)
    private mutating func number(
        _ b: UnsafeBufferPointer<UInt8>, _ fs: Int, _ fe: Int, _ column: Int, isVolume: Bool, _ ok: inout Bool
    ) -> Double {
        if fe > fs, let v = DecimalParser.parse(b, fs, fe), v.isFinite, isVolume ? v >= 0 : v > 0 {
            return v
        }
        ok = false
        invalidNumber(b, fs, fe, column, isVolume: isVolume)
        return .nan
    }

    private mutating func invalidNumber(_ b: UnsafeBufferPointer<UInt8>, _ fs: Int, _ fe: Int, _ column: Int, isVolume: Bool) {
        if fe <= fs {
            report(b, fs, fe, column, "missing value")
        } else if let v = DecimalParser.parse(b, fs, fe) {
            if !v.isFinite {
                report(b, fs, fe, column, "not a finite number (out of range)")
            } else if isVolume {
                report(b, fs, fe, column, "volume must not be negative")
            } else {
                report(b, fs, fe, column, "\(names[column]) must be a positive price")
            }
        } else {
            let lower = text(b, fs, fe).lowercased()
            let nonFinite = ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(lower)
            report(b, fs, fe, column, nonFinite ? "not a finite number" : "not a number")
        }
    }

    private mutating func parseRow(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        let issuesBefore = issues.count
        var ok = true
        var ts: Int64 = 0
        var o = 0.0, h = 0.0, l = 0.0, c = 0.0, v = 0.0, a = 0.0
        var highAt = (0, 0, 0), lowAt = (0, 0, 0), dateAt = (0, 0, 0)
        var symbol = ""
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
                if let value, stop == end || b[stop] == 44,
                   value.isFinite, role == 8 ? value >= 0 : value > 0 {
                    switch role {
                    case 3: o = value
                    case 4: h = value; highAt = (j, stop, k)
                    case 5: l = value; lowAt = (j, stop, k)
                    case 6: c = value
                    case 7: a = value
                    default: v = value
                    }
                    k += 1
                    if stop >= end { break }
                    i = stop + 1
                    continue
                }
            } else if role == 1 {
                let stop = j + 19 <= end && (j + 19 == end || b[j + 19] == 44) ? j + 19
                    : (j + 10 <= end && (j + 10 == end || b[j + 10] == 44) ? j + 10 : -1)
                if stop > 0, let t = TimestampParser.parseFixed(b, j, stop) {
                    ts = t
                    dateAt = (j, stop, k)
                    k += 1
                    if stop >= end { break }
                    i = stop + 1
                    continue
                }
            }
            let (fs, fe, next) = Self.nextField(b, i, end)
            if k < columnCount {
                switch roles[k] {
                case 1:
                    dateAt = (fs, fe, k)
                    switch TimestampParser.parse(b, fs, fe) {
                    case let .value(t): ts = t
                    case let .invalid(reason): report(b, fs, fe, k, reason); ok = false
                    }
                case 2:
                    symbol = text(b, fs, fe)
                    if symbol.isEmpty { report(b, fs, fe, k, "missing symbol"); ok = false }
                case 3: o = number(b, fs, fe, k, isVolume: false, &ok)
                case 4: h = number(b, fs, fe, k, isVolume: false, &ok); highAt = (fs, fe, k)
                case 5: l = number(b, fs, fe, k, isVolume: false, &ok); lowAt = (fs, fe, k)
                case 6: c = number(b, fs, fe, k, isVolume: false, &ok)
                case 7: a = number(b, fs, fe, k, isVolume: false, &ok)
                case 8: v = number(b, fs, fe, k, isVolume: true, &ok)
                default: break
                }
            }
            k += 1
            if next >= end { break }
            i = next + 1
        }
        guard k == columnCount else {
            issues.removeSubrange(issuesBefore...)
            if issues.count < maximumIssues {
                issues.append(CSVIssue(line: line, column: "*", value: "", reason: "expected \(columnCount) fields, found \(k)"))
            }
            badRows += 1
            return
        }
        if ok && hasOHL {
            if h < max(o, c) {
                report(b, highAt.0, highAt.1, highAt.2, "high is below max(open, close)")
                ok = false
            }
            if l > min(o, c) {
                report(b, lowAt.0, lowAt.1, lowAt.2, "low is above min(open, close)")
                ok = false
            }
        }
        if ok {
            let previous = hasSymbol ? (lastBySymbol[symbol] ?? .min) : lastTimestamp
            if ts <= previous {
                let reason = ts == previous ? "duplicate timestamp" : "timestamp out of order (earlier than the previous row)"
                report(b, dateAt.0, dateAt.1, dateAt.2, hasSymbol ? reason + " for \(symbol)" : reason)
                ok = false
            }
        }
        guard ok else { badRows += 1; return }
        if hasSymbol { lastBySymbol[symbol] = ts; symbols.append(symbol) } else { lastTimestamp = ts }
        timestamps.append(ts)
        close.append(c)
        if hasOHL { open.append(o); high.append(h); low.append(l) }
        if hasVolume { volume.append(v) }
        if hasAdjusted { adjusted.append(a) }
    }
}
