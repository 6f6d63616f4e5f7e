/// A direct parser for the claims this service writes (a flat object of plain strings and
/// whole numbers), so the authenticated hot path does not go through Foundation's decoder.
/// Anything else (escapes, other types, unknown or repeated keys, whitespace inside values)
/// returns nil and the caller falls back to `JSONDecoder`, so both give the same answers.
extension JWTClaims {
    /// The claims in `payload` when it has the plain shape, else nil.
    static func parsePlain(_ payload: [UInt8]) -> JWTClaims? {
        var strings: [String?] = Array(repeating: nil, count: 6)  // iss aud sub sid jti role
        var numbers: [Int64?] = [nil, nil]  // iat exp
        var index = 0
        let count = payload.count
        func skipSpace() {
            while index < count, payload[index] == 0x20 || payload[index] == 0x0A || payload[index] == 0x0D || payload[index] == 0x09 { index += 1 }
        }
        /// A string without escapes or control characters, at `index` (its opening quote).
        func plainString() -> String? {
            guard index < count, payload[index] == 0x22 else { return nil }
            let start = index + 1
            var end = start
            while end < count, payload[end] != 0x22 {
                if payload[end] == 0x5C || payload[end] < 0x20 { return nil }
                end += 1
            }
            guard end < count else { return nil }
            index = end + 1
            return String(validating: payload[start..<end], as: UTF8.self)
        }
        skipSpace()
        guard index < count, payload[index] == 0x7B else { return nil }
        index += 1
        while true {
            skipSpace()
            guard let key = plainString() else { return nil }
            skipSpace()
            guard index < count, payload[index] == 0x3A else { return nil }
            index += 1
            skipSpace()
            switch key {
            case "iat", "exp":
                let slot = key == "iat" ? 0 : 1
                guard numbers[slot] == nil else { return nil }
                var negative = false
                if index < count, payload[index] == 0x2D {
                    negative = true
                    index += 1
                }
                let start = index
                var value: Int64 = 0
                while index < count, payload[index] >= 0x30, payload[index] <= 0x39, index - start < 16 {
                    value = value * 10 + Int64(payload[index] - 0x30)
                    index += 1
                }
                guard index > start, index - start < 16, !(index - start > 1 && payload[start] == 0x30) else { return nil }
                numbers[slot] = negative ? -value : value
            default:
                guard let slot = ["iss", "aud", "sub", "sid", "jti", "role"].firstIndex(of: key), strings[slot] == nil,
                    let value = plainString()
                else { return nil }
                strings[slot] = value
            }
            skipSpace()
            guard index < count else { return nil }
            if payload[index] == 0x2C {
                index += 1
                continue
            }
            guard payload[index] == 0x7D else { return nil }
            index += 1
            break
        }
        skipSpace()
        guard index == count, let iss = strings[0], let aud = strings[1], let sub = strings[2], let sid = strings[3],
            let jti = strings[4], let role = strings[5], let iat = numbers[0], let exp = numbers[1]
        else { return nil }
        return JWTClaims(iss: iss, aud: aud, sub: sub, sid: sid, jti: jti, role: role, iat: iat, exp: exp)
    }
}
