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
    private var fieldStart: [Int] = []
    private var fieldEnd: [Int] = []

    /// A reader that keeps at most `maximumIssues` issues.
    public init(maximumIssues: Int = 100) {
        self.maximumIssues = maximumIssues
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
        guard !done else { throw .finished }
        let consumed: Int = chunk.withUnsafeBufferPointer { buf in
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
        }
        if consumed < chunk.count {
            pending.append(contentsOf: chunk[consumed...])
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
        var i = from
        let n = buf.count
        while i < n {
            if buf[i] == 10 { return i }
            i += 1
        }
        return nil
    }

    private mutating func processLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ rawEnd: Int) {
        line += 1
        var end = rawEnd
        if end > start, b[end - 1] == 13 { end -= 1 }
        var s = start
        if line == 1, end - s >= 3, b[s] == 0xEF, b[s + 1] == 0xBB, b[s + 2] == 0xBF { s += 3 }
        var blank = true
        var k = s
        while k < end {
            if b[k] != 32 && b[k] != 9 && b[k] != 13 { blank = false; break }
            k += 1
        }
        if blank { return }
        splitFields(b, s, end)
        guard let header else {
            if headerError != nil { return }
            let names = (0..<fieldStart.count).map { fieldText(b, $0) }
            do throws(CSVError) {
                let parsed = try CSVHeader(names: names)
                self.header = parsed
            } catch {
                headerError = error
            }
            return
        }
        parseRow(b, header)
    }

    /// Fills fieldStart/fieldEnd with trimmed, unquoted field bounds.
    private mutating func splitFields(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        fieldStart.removeAll(keepingCapacity: true)
        fieldEnd.removeAll(keepingCapacity: true)
        var i = start
        while true {
            var fs = i
            while fs < end, b[fs] == 32 || b[fs] == 9 { fs += 1 }
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
            fieldStart.append(fs)
            fieldEnd.append(fe)
            if i >= end { break }
            i += 1
        }
    }

    private func fieldText(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> String {
        let s = fieldStart[k], e = max(fieldStart[k], fieldEnd[k])
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }

    private mutating func report(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ column: String, _ reason: String) {
        if issues.count < maximumIssues {
            var value = k < fieldStart.count ? fieldText(b, k) : ""
            if value.count > 40 { value = String(value.prefix(40)) + "…" }
            issues.append(CSVIssue(line: line, column: column, value: value, reason: reason))
        }
    }

    private mutating func number(
        _ b: UnsafeBufferPointer<UInt8>, _ header: CSVHeader, _ k: Int, isVolume: Bool, _ ok: inout Bool
    ) -> Double {
        guard k >= 0 else { return 0 }
        let s = fieldStart[k], e = fieldEnd[k]
        if e > s, let v = DecimalParser.parse(b, s, e), v.isFinite, isVolume ? v >= 0 : v > 0 {
            return v
        }
        let name = header.names[k]
        ok = false
        if e <= s {
            report(b, k, name, "missing value")
            return .nan
        }
        guard let v = DecimalParser.parse(b, s, e) else {
            let text = fieldText(b, k).lowercased()
            let nonFinite = ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"].contains(text)
            report(b, k, name, nonFinite ? "not a finite number" : "not a number")
            return .nan
        }
        if !v.isFinite {
            report(b, k, name, "not a finite number (out of range)")
        } else if isVolume {
            report(b, k, name, "volume must not be negative")
        } else {
            report(b, k, name, "\(name) must be a positive price")
        }
        return v
    }

    private mutating func parseRow(_ b: UnsafeBufferPointer<UInt8>, _ header: CSVHeader) {
        guard fieldStart.count == header.names.count else {
            if issues.count < maximumIssues {
                issues.append(CSVIssue(
                    line: line, column: "*", value: "",
                    reason: "expected \(header.names.count) fields, found \(fieldStart.count)"))
            }
            badRows += 1
            return
        }
        var ok = true
        let dk = header.date
        var ts: Int64 = 0
        switch TimestampParser.parse(b, fieldStart[dk], fieldEnd[dk]) {
        case let .value(v): ts = v
        case let .invalid(reason): report(b, dk, header.names[dk], reason); ok = false
        }
        let hasOHL = header.open >= 0
        let c = number(b, header, header.close, isVolume: false, &ok)
        let o = hasOHL ? number(b, header, header.open, isVolume: false, &ok) : c
        let h = hasOHL ? number(b, header, header.high, isVolume: false, &ok) : c
        let l = hasOHL ? number(b, header, header.low, isVolume: false, &ok) : c
        let v = number(b, header, header.volume, isVolume: true, &ok)
        let a = number(b, header, header.adjustedClose, isVolume: false, &ok)
        if ok && hasOHL {
            if h < max(o, c) {
                report(b, header.high, header.names[header.high], "high is below max(open, close)")
                ok = false
            }
            if l > min(o, c) {
                report(b, header.low, header.names[header.low], "low is above min(open, close)")
                ok = false
            }
        }
        var symbol = ""
        let sk = header.symbol
        if sk >= 0 {
            symbol = fieldText(b, sk)
            if symbol.isEmpty { report(b, sk, header.names[sk], "missing symbol"); ok = false }
        }
        if ok {
            let previous = sk < 0 ? lastTimestamp : (lastBySymbol[symbol] ?? .min)
            if ts <= previous {
                let reason = ts == previous ? "duplicate timestamp" : "timestamp out of order (earlier than the previous row)"
                report(b, dk, header.names[dk], symbol.isEmpty ? reason : reason + " for \(symbol)")
                ok = false
            }
        }
        guard ok else { badRows += 1; return }
        if sk < 0 { lastTimestamp = ts } else { lastBySymbol[symbol] = ts; symbols.append(symbol) }
        timestamps.append(ts)
        close.append(c)
        if hasOHL { open.append(o); high.append(h); low.append(l) }
        if header.volume >= 0 { volume.append(v) }
        if header.adjustedClose >= 0 { adjusted.append(a) }
    }
}
