import Support

/// Formats epoch seconds as ISO 8601 text in UTC, without Foundation.
public enum TimestampFormatter {
    /// `2024-03-05` at midnight UTC, `2024-03-05T09:30:00Z` otherwise.
    public static func iso8601(_ seconds: Int64) -> String {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = CivilCalendar.date(fromDays: Int(days))
        let date = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        guard rest != 0 else { return date }
        let h = Int(rest / 3600)
        let mi = Int(rest % 3600 / 60)
        let s = Int(rest % 60)
        return date + "T" + pad(h, 2) + ":" + pad(mi, 2) + ":" + pad(s, 2) + "Z"
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(abs(v))
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
