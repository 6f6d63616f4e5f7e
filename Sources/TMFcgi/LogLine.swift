#if canImport(Glibc)
import Glibc
#endif

/// A JSON log line built as bytes, for the line written on every request: no intermediate
/// `String`s, one buffer, one `write(2)`.
struct LogLine {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends text that needs no escaping.
    mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `value` as a JSON string literal, quotes included.
    mutating func appendQuoted(_ value: String) {
        bytes.append(34)
        var value = value
        value.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x22: append("\\\"")
                case 0x5C: append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                case 0..<0x20:
                    append("\\u00")
                    bytes.append(LogLine.hexDigit(byte >> 4))
                    bytes.append(LogLine.hexDigit(byte & 15))
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(34)
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: Int) {
        if value < 0 {
            bytes.append(45)
            append(UInt64(value.magnitude), minimumDigits: 1)
        } else {
            append(UInt64(value), minimumDigits: 1)
        }
    }

    /// Appends `nanoseconds` as milliseconds with three decimals, e.g. `0.412`.
    mutating func appendMilliseconds(_ nanoseconds: UInt64) {
        let micros = nanoseconds / 1_000
        append(micros / 1_000, minimumDigits: 1)
        bytes.append(46)
        append(micros % 1_000, minimumDigits: 3)
    }

    /// Appends the current UTC time as RFC 3339 with milliseconds.
    mutating func appendTimestamp() {
        bytes.append(contentsOf: Clock.timestamp().utf8)
    }

    /// Writes the line to stderr in one call (retrying short writes).
    func write() { LogLine.write(bytes) }

    /// Writes `bytes` to stderr in one call (retrying short writes).
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    private mutating func append(_ value: UInt64, minimumDigits: Int) {
        var divisor: UInt64 = 1
        var width = 1
        while value / divisor >= 10 {
            divisor *= 10
            width += 1
        }
        for _ in width..<max(width, minimumDigits) { bytes.append(48) }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: 48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 87 + value }
}
