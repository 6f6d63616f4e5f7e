/// The digits of a positional text encoding (hex, base64url) and the value of each: one
/// table each way, so encoders and decoders of every alphabet look digits up the same way.
struct DigitAlphabet: Sendable {
    /// The digit of each value, in order.
    let digits: [UInt8]
    /// The value of each byte, or `invalid` for a byte that is not a digit.
    private let values: [UInt8]
    private static let invalid: UInt8 = 0xFF

    /// The alphabet of `digits` (ASCII); with `caseInsensitive`, a letter's other case is
    /// read as the same digit.
    init(_ digits: String, caseInsensitive: Bool = false) {
        self.digits = Array(digits.utf8)
        var values = [UInt8](repeating: Self.invalid, count: 256)
        for (value, digit) in self.digits.enumerated() {
            values[Int(digit)] = UInt8(value)
            if caseInsensitive, let other = Character(UnicodeScalar(digit)).uppercased().utf8.first {
                values[Int(other)] = UInt8(value)
            }
        }
        self.values = values
    }

    /// The digit of `value` (below the alphabet's size).
    subscript(value: Int) -> UInt8 { digits[value] }

    /// The value of digit `char`, or `nil` for a byte outside the alphabet.
    func value(of char: UInt8) -> UInt8? {
        let value = values[Int(char)]
        return value == Self.invalid ? nil : value
    }
}
