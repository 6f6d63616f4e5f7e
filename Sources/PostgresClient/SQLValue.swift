import Foundation
import Quant
import Security
import Support

/// A value that can be bound as a parameter, in PostgreSQL's text format.
public protocol SQLEncodable {
    /// The text form PostgreSQL parses for the parameter's type.
    var sqlText: String { get }
}

/// A value that can be read from a result column in text format.
public protocol SQLDecodable {
    /// Parses the column text; nil when it does not parse.
    init?(sqlText: String)
}

extension String: SQLEncodable, SQLDecodable {
    public var sqlText: String { self }
    public init?(sqlText: String) { self = sqlText }
}

extension Int: SQLEncodable, SQLDecodable {
    public var sqlText: String { String(self) }
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Int64: SQLEncodable, SQLDecodable {
    public var sqlText: String { String(self) }
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Int32: SQLEncodable, SQLDecodable {
    public var sqlText: String { String(self) }
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Double: SQLEncodable, SQLDecodable {
    public var sqlText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public init?(sqlText: String) {
        switch sqlText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(sqlText)
        }
    }
}

extension Bool: SQLEncodable, SQLDecodable {
    public var sqlText: String { self ? "true" : "false" }
    public init?(sqlText: String) {
        switch sqlText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: SQLEncodable, SQLDecodable {
    public var sqlText: String { uuidString.lowercased() }
    public init?(sqlText: String) { self.init(uuidString: sqlText) }
}

extension Date: SQLEncodable, SQLDecodable {
    /// ISO 8601 in UTC with microseconds, which `timestamptz` parses exactly.
    public var sqlText: String {
        let seconds = timeIntervalSince1970
        let whole = floor(seconds)
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1,
            parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, min(micros, 999_999))
    }

    /// Parses `timestamptz` output in the ISO DateStyle (`2026-11-25 01:22:28.123456+00`),
    /// for every value PostgreSQL can hold: years of any length, ` BC`, and `infinity`
    /// (as `distantFuture`/`distantPast`). Total: a stored timestamp always decodes.
    public init?(sqlText: String) {
        switch sqlText {
        case "infinity":
            self = .distantFuture
            return
        case "-infinity":
            self = .distantPast
            return
        default: break
        }
        var bytes = Array(sqlText.utf8)
        var beforeChrist = false
        if bytes.count > 3, bytes.suffix(3).elementsEqual(" BC".utf8) {
            beforeChrist = true
            bytes.removeLast(3)
        }
        var index = 0
        func number(digits: Int? = nil) -> Int? {
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < (digits ?? 18) {
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
            }
            guard index > start, digits == nil || index - start == digits else { return nil }
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard var year = number(), expect(45), let month = number(digits: 2), expect(45), let day = number(digits: 2),
            expect(32) || expect(84), let hour = number(digits: 2), expect(58), let minute = number(digits: 2),
            expect(58), let second = number(digits: 2)
        else { return nil }
        if beforeChrist { year = 1 - year }  // 1 BC is year 0 of the proleptic calendar
        var fraction = 0.0
        if expect(46) {
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(digits: 2) else { return nil }
            var minutes = 0
            var seconds = 0
            if expect(58) { minutes = number(digits: 2) ?? 0 }
            if expect(58) { seconds = number(digits: 2) ?? 0 }
            offsetSeconds = sign * (hours * 3600 + minutes * 60 + seconds)
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day) else { return nil }
        guard day <= CivilCalendar.daysIn(month: month, year: year) else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        self.init(timeIntervalSince1970: Double(whole) + fraction)
    }
}

/// A `jsonb` value given as JSON text.
public struct JSONB: SQLEncodable, SQLDecodable, Sendable {
    /// The JSON text.
    public let json: String
    /// Wraps JSON text.
    public init(json: String) { self.json = json }
    public var sqlText: String { json }
    public init?(sqlText: String) { json = sqlText }
}

extension Array: SQLEncodable where Element == UInt8 {
    /// `bytea` in hex format.
    public var sqlText: String { "\\x" + Hex.encode(self) }
}
