import Foundation
import Security

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
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, min(micros, 999_999))
    }

    /// Parses `timestamptz` output in the ISO DateStyle (`2026-11-25 01:22:28.123456+00`).
    public init?(sqlText: String) {
        let bytes = Array(sqlText.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count && bytes[index] == 46 {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count && (bytes[index] == 43 || bytes[index] == 45) {
            let sign = bytes[index] == 45 ? -1 : 1
            guard let hours = number(index + 1..<index + 3) else { return nil }
            var minutes = 0
            if index + 5 < bytes.count + 1, index + 3 < bytes.count, bytes[index + 3] == 58 {
                minutes = number(index + 4..<index + 6) ?? 0
            }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        self.init(timeIntervalSince1970: Double(epoch - offsetSeconds) + fraction)
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
