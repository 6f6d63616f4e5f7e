import Support

/// A strict RFC 8259 check of a request body, run before Foundation decodes it. Foundation on
/// Linux accepts trailing commas, keeps the first of duplicate keys, and lets invalid UTF-8
/// and lone surrogates through in fields the target type ignores; this pass refuses all of
/// them, and control characters in strings (a NUL would cut the string short in libpq).
///
/// - Malformed JSON (syntax, invalid UTF-8, a lone surrogate escape, nesting deeper than
///   ``maximumDepth``) is a 400 `malformed-json` problem.
/// - A duplicate key or a control character other than tab, line feed and carriage return
///   in a string is a 422 whose pointer names the place.
public struct JSONValidator {
    /// How deeply arrays and objects may nest.
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var path: [String] = []

    /// Checks `bytes`; throws the problem described above.
    public static func validate(_ bytes: [UInt8]) throws {
        _ = try parse(bytes)
    }

    /// Checks `bytes` and returns the value they hold; throws the problem described above.
    /// Integers that fit 64 bits stay exact; other numbers are doubles (1e400 is infinite,
    /// which decoding refuses).
    public static func parse(_ bytes: [UInt8]) throws -> JSONDocument {
        var validator = JSONValidator(bytes: bytes)
        try validator.skipWhitespace()
        let document = try validator.value(depth: 0)
        try validator.skipWhitespace()
        guard validator.index == bytes.count else { throw validator.malformed("unexpected text after the JSON value") }
        return document
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func malformed(_ reason: String) -> Problem {
        Problem(
            .badRequest, type: "/problems/malformed-json", title: "Malformed JSON",
            detail: "The request body is not valid JSON: \(reason) at byte \(index).")
    }

    private var pointer: String {
        path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }

    private mutating func skipWhitespace() throws {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func value(depth: Int) throws -> JSONDocument {
        guard index < bytes.count else { throw malformed("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""):
            let text = try string()
            if text.hasControlCharacter {
                throw Problem.validation([FieldError(pointer: pointer, detail: "must not contain control characters")])
            }
            return .string(text)
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw malformed("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw malformed("invalid literal")
        }
        index += count
    }

    private mutating func number() throws -> JSONDocument {
        let start = index
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, bytes[index].isDigit else { throw malformed(start == index ? "unexpected character" : "invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, bytes[index].isDigit { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, bytes[index].isDigit else { throw malformed("invalid number") }
            while index < bytes.count, bytes[index].isDigit { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, bytes[index].isDigit else { throw malformed("invalid number") }
            while index < bytes.count, bytes[index].isDigit { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let exact = Int64(text) { return .integer(exact) }
        return .number(Double(text) ?? .nan)
    }

    private mutating func array(depth: Int) throws -> JSONDocument {
        if try open(depth: depth, closedBy: "]") { return .array([]) }
        var elements: [JSONDocument] = []
        repeat {
            path.append(String(elements.count))
            try skipWhitespace()
            elements.append(try value(depth: depth))
            path.removeLast()
        } while try another(closedBy: "]")
        return .array(elements)
    }

    /// Enters an array or object at `index` (on its opening bracket), within the nesting limit;
    /// true when it is empty (then `index` is past `close`).
    private mutating func open(depth: Int, closedBy close: Unicode.Scalar) throws -> Bool {
        guard depth <= Self.maximumDepth else { throw malformed("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        try skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: close) else { return false }
        index += 1
        return true
    }

    /// After a member or element: true at `,` (another follows), false at `close` (the container
    /// ends); either is skipped.
    private mutating func another(closedBy close: Unicode.Scalar) throws -> Bool {
        try skipWhitespace()
        guard index < bytes.count else { throw malformed("unexpected end") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        guard bytes[index] == UInt8(ascii: close) else { throw malformed("expected ',' or '\(close)'") }
        index += 1
        return false
    }

    private mutating func object(depth: Int) throws -> JSONDocument {
        if try open(depth: depth, closedBy: "}") { return .object([:]) }
        var members = JSONObject()
        repeat {
            try skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed("expected a key in quotes") }
            let key = try string()
            path.append(key)
            if key.hasControlCharacter {
                throw Problem.validation([FieldError(pointer: pointer, detail: "the key must not contain control characters")])
            }
            guard members[key] == nil else {
                throw Problem.validation([FieldError(pointer: pointer, detail: "is given more than once")])
            }
            try skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw malformed("expected ':'") }
            index += 1
            try skipWhitespace()
            members[key] = try value(depth: depth)
            path.removeLast()
        } while try another(closedBy: "}")
        return .object(members)
    }

    /// Reads a string at `index` (on its opening quote) and returns its decoded scalars.
    private mutating func string() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard index < bytes.count else { throw malformed("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw malformed("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
                default: throw malformed("invalid escape")
                }
            case 0..<0x20:
                throw malformed("unescaped control character in a string")
            case 0..<0x80:
                scalars.append(Unicode.Scalar(byte))
                index += 1
            default:
                scalars.append(try utf8Scalar())
            }
        }
    }

    /// The scalar of `\uXXXX` (index after the `u`), joining a surrogate pair.
    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800...0xDBFF).contains(high) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw malformed("lone surrogate escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw malformed("lone surrogate escape") }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else { throw malformed("lone surrogate escape") }
        return scalar
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw malformed("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: throw malformed("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// One well-formed UTF-8 sequence (no overlongs, surrogates or values past U+10FFFF).
    private mutating func utf8Scalar() throws -> Unicode.Scalar {
        let first = bytes[index]
        let count: Int
        var value: UInt32
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF:
            count = 2
            value = UInt32(first & 0x1F)
        case 0xE0:
            count = 3
            value = 0
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            count = 3
            value = UInt32(first & 0x0F)
        case 0xED:
            count = 3
            value = 0xD
            upper = 0x9F
        case 0xF0:
            count = 4
            value = 0
            lower = 0x90
        case 0xF1...0xF3:
            count = 4
            value = UInt32(first & 0x07)
        case 0xF4:
            count = 4
            value = 4
            upper = 0x8F
        default: throw malformed("invalid UTF-8")
        }
        guard index + count <= bytes.count else { throw malformed("invalid UTF-8") }
        for offset in 1..<count {
            let byte = bytes[index + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= low && byte <= high else { throw malformed("invalid UTF-8") }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        index += count
        guard let scalar = Unicode.Scalar(value) else { throw malformed("invalid UTF-8") }
        return scalar
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= 48 && self <= 57 }
}

extension StringProtocol {
    /// Whether the text holds a control character (Unicode category Cc) other than tab, line
    /// feed and carriage return.
    public var hasControlCharacter: Bool {
        unicodeScalars.contains { $0.isDisallowedControl }
    }
}

extension Unicode.Scalar {
    /// A C0 or C1 control character, DEL included, except tab, line feed and carriage return.
    public var isDisallowedControl: Bool {
        let value = self.value
        return (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value)
    }
}
