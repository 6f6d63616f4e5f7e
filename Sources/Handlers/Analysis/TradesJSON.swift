import Foundation
import Models
import Support
import TMFcgi

/// A run's trades as the API's JSON, written directly: byte for byte what ``JSONCoding``'s
/// encoder writes for `[RunTrade]` (sorted snake_case keys, absent optionals left out, ISO 8601
/// dates, doubles as `description` without a trailing `.0`), about ten times faster. A
/// 200,000-bar backtest has thousands of trades, and Foundation's encoder spent more time on
/// them than the backtest itself. Trades this writer does not cover exactly (a non-finite or
/// fractional-second value, a string needing escapes) make it answer nil: the caller then
/// uses the encoder.
enum TradesJSON {
    /// `trades` as a JSON array, or nil when one of them needs the general encoder.
    static func encode(_ trades: [RunTrade]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(trades.count * 360 + 2)
        out.append(UInt8(ascii: "["))
        for (k, trade) in trades.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            guard append(trade, to: &out) else { return nil }
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    private static func append(_ t: RunTrade, to out: inout [UInt8]) -> Bool {
        guard plain(t.symbol), plain(t.side) else { return false }
        key("bars_held", first: true, &out)
        out += Array(String(t.barsHeld).utf8)
        key("commission", &out)
        guard number(t.commission, &out) else { return false }
        key("entry_bar", &out)
        out += Array(String(t.entryBar).utf8)
        key("entry_price", &out)
        guard number(t.entryPrice, &out) else { return false }
        key("entry_time", &out)
        guard date(t.entryTime, &out) else { return false }
        if let exitBar = t.exitBar {
            key("exit_bar", &out)
            out += Array(String(exitBar).utf8)
        }
        key("exit_price", &out)
        guard number(t.exitPrice, &out) else { return false }
        if let exitTime = t.exitTime {
            key("exit_time", &out)
            guard date(exitTime, &out) else { return false }
        }
        key("gross_pnl", &out)
        guard number(t.grossPnl, &out) else { return false }
        key("net_pnl", &out)
        guard number(t.netPnl, &out) else { return false }
        key("open", &out)
        out += Array((t.open ? "true" : "false").utf8)
        if let value = t.return {
            key("return", &out)
            guard number(value, &out) else { return false }
        }
        key("seq", &out)
        out += Array(String(t.seq).utf8)
        key("shares", &out)
        out += Array(String(t.shares).utf8)
        key("side", &out)
        string(t.side, &out)
        key("symbol", &out)
        string(t.symbol, &out)
        out.append(UInt8(ascii: "}"))
        return true
    }

    private static func key(_ name: StaticString, first: Bool = false, _ out: inout [UInt8]) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// Text the encoder writes as it is: no quote, backslash or control character.
    private static func plain(_ text: String) -> Bool {
        !text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }
    }

    private static func string(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out += Array(text.utf8)
        out.append(UInt8(ascii: "\""))
    }

    private static func number(_ value: Double, _ out: inout [UInt8]) -> Bool {
        guard value.isFinite else { return false }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out += Array(text.utf8)
        return true
    }

    /// `2024-03-01T14:30:00Z` for a whole second of the years 1970 to 9999.
    private static func date(_ date: Date, _ out: inout [UInt8]) -> Bool {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 253_402_300_800, seconds == seconds.rounded(.down) else { return false }
        let total = Int64(seconds)
        let (days, rest) = total.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))
        out.append(UInt8(ascii: "\""))
        digits(Int64(year), 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(Int64(month), 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(Int64(day), 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(rest / 3600, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(rest / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(rest % 60, 2, &out)
        out.append(UInt8(ascii: "Z"))
        out.append(UInt8(ascii: "\""))
        return true
    }

    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
