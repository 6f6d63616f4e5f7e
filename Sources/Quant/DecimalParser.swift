/// Parses ASCII decimal numbers to the correctly rounded `Double`.
///
/// The fast path (Clinger's): when the significand fits in 2^53 and the power of ten is at
/// most 22, one IEEE multiplication or division of two exact values gives the correctly
/// rounded result. Anything else goes to the standard library's `Double(_:)`, which is
/// correctly rounded. Only plain decimal syntax is accepted: `nan`, `inf` and hexadecimal
/// floats are rejected (the caller reports them).
enum DecimalParser {
    /// Exact powers of ten representable as doubles.
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `bytes[start..<end]`, or nil when it is not a plain decimal number.
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let (value, stop) = scan(bytes, start, end)
        return stop == end ? value : nil
    }

    /// Appends the decimal digits at `bytes[i...]` to `mantissa`, advancing `i` past them.
    /// Digits go two at a time (halving the multiply-add latency chain); the caller detects
    /// overflow from the digit count.
    @inline(__always)
    private static func accumulateDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, into mantissa: inout UInt64) {
        while i + 1 < end {
            let d0 = bytes[i] &- 48
            let d1 = bytes[i + 1] &- 48
            guard d0 < 10, d1 < 10 else { break }
            mantissa = mantissa &* 100 &+ UInt64(d0 &* 10 &+ d1)
            i += 2
        }
        if i < end, bytes[i] &- 48 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48)
            i += 1
        }
    }

    /// Parses the longest number-shaped prefix of `bytes[start..<end]`: its value (nil when the
    /// prefix is not a valid number) and the index where scanning stopped.
    @inline(__always)
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double?, Int) {
        if let fast = scanShort(bytes, start, end) { return fast }
        return scanDigits(bytes, start, end)
    }

    /// `scan` for the usual field, a number of fewer than 8 integer and fewer than 8 fraction
    /// digits with no exponent, read eight bytes at a time; nil sends the field to the digit loop
    /// (which returns the same for these, see the tests).
    @inline(__always)
    private static func scanShort(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double?, Int)? {
        guard let base = bytes.baseAddress, start >= 0, end <= bytes.count, end - start >= 18 else { return nil }
        var i = start
        let negative = base[i] == UInt8(ascii: "-")
        if negative || base[i] == UInt8(ascii: "+") { i += 1 }
        let intWord = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
        let intCount = firstNonDigit(intWord)
        guard intCount < 8 else { return nil }
        var mantissa = intCount > 0 ? digitsValue(intWord, intCount) : 0
        i += intCount
        var fracCount = 0
        if base[i] == UInt8(ascii: ".") {
            i += 1
            let fracWord = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            fracCount = firstNonDigit(fracWord)
            guard fracCount < 8 else { return nil }
            if fracCount > 0 { mantissa = mantissa &* powersOfTen[fracCount] &+ digitsValue(fracWord, fracCount) }
            i += fracCount
        }
        guard intCount + fracCount > 0 else { return (nil, i) }
        guard base[i] | 0x20 != UInt8(ascii: "e") else { return nil }
        // At most 14 digits and 10⁻⁷: Clinger's fast path, as in the digit loop. The mantissa
        // is below 2⁵³: converted as signed (one instruction; the unsigned takes five), exact.
        let m = Double(Int64(bitPattern: mantissa))
        let value = fracCount > 0 ? m / powers[fracCount] : m * powers[0]
        return (negative ? -value : value, i)
    }

    /// `scan` for the usual price or volume field only, with 18 bytes readable from `start`:
    /// 1 to 7 integer digits, then optionally a dot and 1 to 7 fraction digits (no sign, no
    /// exponent). Its value and end (at most `start + 15`), or nil for any other form, which the
    /// caller reads with ``scan(_:_:_:)``. Followed by a comma or a line end, it is `scan`'s
    /// answer (tested): the same digits, the same one exact division.
    @inline(__always)
    static func scanPlain(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Double, Int)? {
        guard let base = bytes.baseAddress, start >= 0, bytes.count - start >= 18 else { return nil }
        let intWord = UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)
        let intCount = firstNonDigit(intWord)
        guard UInt(bitPattern: intCount &- 1) < 7 else { return nil }
        let dot = start &+ intCount
        guard base[dot] == UInt8(ascii: ".") else { return (Double(Int64(bitPattern: digitsValue(intWord, intCount))), dot) }
        let fracWord = UnsafeRawPointer(base + dot + 1).loadUnaligned(as: UInt64.self)
        let fracCount = firstNonDigit(fracWord)
        guard UInt(bitPattern: fracCount &- 1) < 7 else { return nil }
        // At most 14 digits and 10⁻⁷: Clinger's fast path, the mantissa exact as a double.
        let digits = mantissa(intWord, intCount, fracWord, fracCount)
        return (Double(Int64(bitPattern: digits)) / powers[fracCount], dot &+ 1 &+ fracCount)
    }

    /// ``scanPlain(_:_:)``'s value for a field whose form is known: `intCount` (1…7) integer
    /// digits at `base[start...]`, then, unless `fracCount` is 0, a dot and `fracCount` (1…7)
    /// fraction digits (the caller checked every byte). 16 bytes must be readable from `start`.
    @inline(__always)
    static func plainValue(_ base: UnsafePointer<UInt8>, _ start: Int, intCount: Int, fracCount: Int) -> Double {
        let intWord = UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)
        guard fracCount > 0 else { return Double(Int64(bitPattern: digitsValue(intWord, intCount))) }
        let fracWord = UnsafeRawPointer(base + (start &+ intCount &+ 1)).loadUnaligned(as: UInt64.self)
        return Double(Int64(bitPattern: mantissa(intWord, intCount, fracWord, fracCount))) / powers[fracCount]
    }

    /// The integer of the first `intCount` digits of `intWord` followed by the first
    /// `fracCount` digits of `fracWord` (each 1…7).
    @inline(__always)
    private static func mantissa(_ intWord: UInt64, _ intCount: Int, _ fracWord: UInt64, _ fracCount: Int) -> UInt64 {
        guard intCount &+ fracCount <= 8 else {
            return digitsValue(intWord, intCount) &* powersOfTen[fracCount] &+ digitsValue(fracWord, fracCount)
        }
        // All the digits in one word (the integer's, then the fraction's), one conversion.
        let fraction = (fracWord & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(truncatingIfNeeded: 64 &- 8 &* fracCount)
        let integer = (intWord & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(truncatingIfNeeded: 64 &- 8 &* intCount)
        return eightDigitsValue((integer &>> UInt64(truncatingIfNeeded: 8 &* fracCount)) | fraction)
    }

    /// The index of the first byte of `word` (little-endian: the first byte is the lowest) that
    /// is not an ASCII digit (8 when all are), without a branch. A byte above '9' overflows into bit 7 when 0x46 is
    /// added, one below '0' when 0x30 is taken away; the carries and borrows that cross bytes
    /// start at a non-digit, so they reach only bytes after the first one.
    @inline(__always)
    private static func firstNonDigit(_ word: UInt64) -> Int {
        let flagged = ((word &+ 0x4646_4646_4646_4646) | (word &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
        return flagged.trailingZeroBitCount &>> 3
    }

    /// The value of the first `count` (1…7) digits of `word` (its bytes in order; the shift
    /// needs no overshift check).
    @inline(__always)
    private static func digitsValue(_ word: UInt64, _ count: Int) -> UInt64 {
        eightDigitsValue((word & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(truncatingIfNeeded: 64 &- 8 &* count))
    }

    /// The value of eight digit values (0…9), one a byte, the first in the lowest byte, with
    /// two multiplications for the last two steps (fast_float's eight-digit conversion).
    @inline(__always)
    private static func eightDigitsValue(_ digits: UInt64) -> UInt64 {
        let v = digits &* 10 &+ (digits &>> 8)  // each byte pair's value in its low byte (≤ 99)
        // The pairs at bytes 0, 2, 4, 6: (p0·100 + p2)·10⁴ + (p4·100 + p6) in bits 32…63.
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return ((v & mask) &* 0x000F_4240_0000_0064 &+ ((v &>> 16) & mask) &* 0x0000_2710_0000_0001) &>> 32
    }

    /// 10⁰ … 10⁷ as integers.
    private static let powersOfTen: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]

    /// `scan` one or two digits at a time, for any length and exponent.
    static func scanDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double?, Int) {
        var i = start
        guard i < end else { return (nil, i) }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        // More than 19 digits in all (leading zeros included) could overflow: the slow path.
        var mantissa: UInt64 = 0
        let intStart = i
        accumulateDigits(bytes, &i, end, into: &mantissa)
        var digits = i - intStart
        var exponent = 0
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            accumulateDigits(bytes, &i, end, into: &mantissa)
            exponent = fracStart - i
            digits += i - fracStart
        }
        guard digits > 0 else { return (nil, i) }
        let overflow = digits > 19
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var sawExp = false
            while i < end, bytes[i] &- 48 < 10 {
                sawExp = true
                if e < 100_000 { e = e * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            guard sawExp else { return (nil, i) }
            exponent += expNegative ? -e : e
        }
        if !overflow, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(Int64(bitPattern: mantissa))
            let value = exponent < 0 ? m / powers[-exponent] : m * powers[exponent]
            return (negative ? -value : value, i)
        }
        return (slowPath(bytes, start, i), i)
    }

    /// The correctly rounded value through the standard library.
    private static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return Double(text)
    }

    /// Parses a whole string (used by parameter parsing and tests).
    static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parse($0, 0, $0.count) }
    }
}
