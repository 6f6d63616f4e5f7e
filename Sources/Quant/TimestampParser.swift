import Support

/// Parses timestamps: ISO 8601 dates (`2024-03-05`), date-times (`2024-03-05 09:30`,
/// `2024-03-05T09:30:00Z`, `…+02:00`, with whole seconds or a zero fraction), and integral
/// epoch seconds (`1709631000`). Results are seconds since the Unix epoch, UTC; a date
/// without time is midnight UTC and a date-time without zone is taken as UTC.
enum TimestampParser {
    /// The outcome of parsing one field.
    enum Outcome {
        case value(Int64)
        case invalid(String)
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int { CivilCalendar.days(year: year, month: month, day: day) }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int { CivilCalendar.daysIn(month: month, year: year) }

    /// The fast path for `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` (or `T` and a trailing `Z`);
    /// nil sends the field to the general parser (which also words the errors).
    @inline(__always)
    static func parseFixed(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        let n = end - start
        guard n == 10 || n == 19 || (n == 20 && b[end - 1] == UInt8(ascii: "Z")),
            b[start + 4] == UInt8(ascii: "-"), b[start + 7] == UInt8(ascii: "-")
        else { return nil }
        @inline(__always) func d(_ i: Int) -> Int { Int(b[start + i] &- 48) }
        // The largest "digit" must be a digit (an OR would reject valid 8 | 3 = 11).
        var top = max(max(max(d(0), d(1)), max(d(2), d(3))), max(max(d(5), d(6)), max(d(8), d(9))))
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6)
        let day = d(8) * 10 + d(9)
        var seconds = 0
        if n > 10 {
            guard b[start + 10] == UInt8(ascii: " ") || b[start + 10] == UInt8(ascii: "T"),
                b[start + 13] == UInt8(ascii: ":"), b[start + 16] == UInt8(ascii: ":")
            else { return nil }
            top = max(top, max(max(d(11), d(12)), max(max(d(14), d(15)), max(d(17), d(18)))))
            let hour = d(11) * 10 + d(12)
            let minute = d(14) * 10 + d(15)
            let second = d(17) * 10 + d(18)
            guard hour < 24, minute < 60, second < 61 else { return nil }
            seconds = hour * 3600 + minute * 60 + second
        }
        guard top < 10, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
        return Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(seconds)
    }

    /// The time of day of a 19-byte date-time at `b[start...]` (` HH:MM:SS` or `THH:MM:SS` from
    /// `start`, the 11th byte), in seconds, with `parseFixed`'s checks; nil otherwise.
    @inline(__always)
    static func parseTimeOfDay(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard start >= 0, start + 9 <= b.count, let base = b.baseAddress,
            b[start] == UInt8(ascii: " ") || b[start] == UInt8(ascii: "T")
        else { return nil }
        // The eight bytes `HH:MM:SS` at once: XOR with "00:00:00" leaves each digit's value and
        // zero for each colon; every byte must then be at most 9 and the colons' exactly 0.
        let x = UnsafeRawPointer(base + start + 1).loadUnaligned(as: UInt64.self) ^ 0x3030_3A30_303A_3030
        let overNine = (((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080
        guard overNine == 0, x & 0x0000_FF00_00FF_0000 == 0 else { return nil }
        @inline(__always) func byte(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (x >> (8 * k)) & 0xFF) }
        let hour = byte(0) * 10 + byte(1)
        let minute = byte(3) * 10 + byte(4)
        let second = byte(6) * 10 + byte(7)
        guard hour < 24, minute < 60, second < 61 else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    /// Parses `bytes[start..<end]`.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Outcome {
        let n = end - start
        guard n > 0 else { return .invalid("empty timestamp") }
        if let fixed = parseFixed(b, start, end) { return .value(fixed) }
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= end else { return nil }
            var v = 0
            for k in at..<(at + count) {
                let d = b[k] &- 48
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        // Epoch seconds: optional sign, digits, optional ".000".
        var allDigits = true
        var i = start
        if b[i] == UInt8(ascii: "-") { i += 1 }
        var dot = -1
        for k in i..<end {
            if b[k] == UInt8(ascii: ".") && dot < 0 {
                dot = k
                continue
            }
            if b[k] &- 48 >= 10 {
                allDigits = false
                break
            }
        }
        if allDigits && i < end && n < 19 && (n != 8 || dot >= 0) {
            let intEnd = dot < 0 ? end : dot
            if dot >= 0, (dot + 1..<end).contains(where: { b[$0] != UInt8(ascii: "0") }) {
                return .invalid("sub-second epoch timestamps are not supported")
            }
            guard intEnd > i, let v = digits(i, intEnd - i) else { return .invalid("not a timestamp") }
            return .value(Int64(b[start] == UInt8(ascii: "-") ? -v : v))
        }
        // Date: YYYY-MM-DD (also YYYYMMDD).
        var p = start
        guard let year = digits(p, 4) else { return .invalid("expected a date like 2024-03-05") }
        p += 4
        let dashed = p < end && (b[p] == UInt8(ascii: "-") || b[p] == UInt8(ascii: "/"))
        if dashed { p += 1 }
        guard let month = digits(p, 2) else { return .invalid("expected a date like 2024-03-05") }
        p += 2
        if dashed {
            guard p < end, b[p] == b[start + 4] else { return .invalid("expected a date like 2024-03-05") }
            p += 1
        }
        guard let day = digits(p, 2) else { return .invalid("expected a date like 2024-03-05") }
        p += 2
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else {
            return .invalid("no such date")
        }
        var seconds = Int64(daysFromCivil(year, month, day)) * 86_400
        guard p < end else { return .value(seconds) }
        guard b[p] == UInt8(ascii: "T") || b[p] == UInt8(ascii: " ") else {
            return .invalid("unexpected text after the date")
        }
        p += 1
        guard let hour = digits(p, 2), p + 2 < end, b[p + 2] == UInt8(ascii: ":"),
            let minute = digits(p + 3, 2)
        else { return .invalid("expected a time like 09:30 or 09:30:00") }
        p += 5
        var second = 0
        if p < end, b[p] == UInt8(ascii: ":") {
            guard let s = digits(p + 1, 2) else { return .invalid("bad seconds") }
            second = s
            p += 3
            if p < end, b[p] == UInt8(ascii: ".") {
                p += 1
                while p < end, b[p] &- 48 < 10 {
                    if b[p] != UInt8(ascii: "0") { return .invalid("sub-second timestamps are not supported") }
                    p += 1
                }
            }
        }
        guard hour < 24, minute < 60, second < 61 else { return .invalid("no such time") }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        guard p < end else { return .value(seconds) }
        if b[p] == UInt8(ascii: "Z") && p + 1 == end { return .value(seconds) }
        guard b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-"), let oh = digits(p + 1, 2) else {
            return .invalid("bad time zone (use Z or ±HH:MM)")
        }
        var q = p + 3
        if q < end, b[q] == UInt8(ascii: ":") { q += 1 }
        guard let om = digits(q, 2), q + 2 == end, oh < 24, om < 60 else {
            return .invalid("bad time zone (use Z or ±HH:MM)")
        }
        let offset = Int64(oh * 3600 + om * 60)
        return .value(b[p] == UInt8(ascii: "+") ? seconds - offset : seconds + offset)
    }
}
