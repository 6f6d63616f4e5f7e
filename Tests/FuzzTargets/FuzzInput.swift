/// Reads structured values off fuzz bytes; past the end every read gives zero, so any input
/// decodes to something.
struct FuzzInput {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// The bytes not read yet.
    var rest: [UInt8] { offset < bytes.count ? Array(bytes[offset...]) : [] }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A value in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let raw = UInt64(byte()) << 8 | UInt64(byte())
        return range.lowerBound + Int(raw % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// One of `choices`.
    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...choices.count - 1)] }

    /// The next `count` bytes (fewer at the end).
    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(0, count))
        defer { offset = max(offset, end) }
        return offset < end ? Array(bytes[offset..<end]) : []
    }

    /// A short string of arbitrary bytes (invalid UTF-8 repaired, as `String(decoding:)` does).
    mutating func string(maximum: Int = 16) -> String { String(decoding: take(int(0...maximum)), as: UTF8.self) }

    /// Any finite or non-finite number, weighted toward the edges: 0, ±1e-300, ±1e300, a
    /// repeat of `previous` (constant runs), NaN and ±∞ when `nonFinite`, else a mantissa
    /// times 10^(−300…300).
    mutating func number(previous: Double = 1, nonFinite: Bool = false) -> Double {
        let tag = byte()
        switch tag % 16 {
        case 0: return 0
        case 1: return 1e-300
        case 2: return 1e300
        case 3, 4, 5: return previous
        case 6: return nonFinite ? .nan : previous
        case 7: return nonFinite ? (tag & 16 == 0 ? .infinity : -.infinity) : -previous
        case 8: return -1e-300
        case 9: return Double.leastNonzeroMagnitude
        default:
            let mantissa = Double(UInt16(byte()) << 8 | UInt16(byte())) / 65_536 + 0.5
            let exponent = Int(byte() % 241) - 120
            var value = mantissa * pow10(exponent)
            if byte() % 8 == 0 { value = mantissa * pow10(int(-300...300)) }
            return tag & 128 == 0 ? value : -value
        }
    }

    /// A price path: mostly small moves from `previous`, with the edge values of ``number(previous:nonFinite:)``.
    mutating func price(previous: Double, nonFinite: Bool = false) -> Double {
        let tag = byte()
        if tag < 160 { return previous * (1 + (Double(tag) - 80) / 800) }
        return number(previous: previous, nonFinite: nonFinite)
    }

    private func pow10(_ exponent: Int) -> Double {
        var value = 1.0
        let step = exponent < 0 ? 0.1 : 10.0
        for _ in 0..<abs(exponent) { value *= step }
        return value
    }
}
