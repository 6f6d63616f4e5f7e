extension JSONDocument {
    /// `.number`, or `.null` when not finite.
    public static func finite(_ x: Double) -> JSONDocument { x.isFinite ? .number(x) : .null }

    /// `.number`/`.null` for an optional double.
    public static func finite(_ x: Double?) -> JSONDocument { x.map(finite) ?? .null }

    /// An array of numbers (non-finite as null).
    public static func numbers(_ xs: [Double]) -> JSONDocument { .array(xs.map(finite)) }

    /// An object of these members, in this order.
    public static func object(_ members: [(String, JSONDocument)]) -> JSONDocument { .object(JSONObject(members)) }

    /// An object of a dictionary's members (in the order of their keys).
    public static func object(_ members: [String: JSONDocument]) -> JSONDocument { .object(JSONObject(members)) }

    /// Compact JSON text, objects' members in their order.
    public func rendered() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += x.isFinite ? Self.format(x) : "null"
        case .integer(let i): out += String(i)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    /// Shortest round-trip text of a finite double (Swift's description), integral values without ".0".
    private static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return x.description
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
