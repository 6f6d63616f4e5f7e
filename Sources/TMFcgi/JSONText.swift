/// Minimal JSON text building for the hot and failure paths (problems, logs), where a
/// `JSONEncoder` would be slower and could itself fail.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        appendEscaped(value, to: &out)
        out.append("\"")
        return out
    }

    /// Appends `value` as a JSON string literal, quotes included.
    public static func appendQuoted(_ value: String, to out: inout String) {
        out.append("\"")
        appendEscaped(value, to: &out)
        out.append("\"")
    }

    /// Appends `value` escaped for a JSON string (without quotes) to `out`.
    public static func appendEscaped(_ value: String, to out: inout String) {
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            out.append(value)
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
