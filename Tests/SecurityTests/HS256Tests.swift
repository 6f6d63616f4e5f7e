import Security
import Testing

/// RFC 7515 Appendix A.1: the HS256 example, with the exact bytes of the RFC (CRLF line breaks).
@Suite struct HS256Tests {
    static let key = Base64URL.decode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")!
    static let header = Array("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".utf8)
    static let payload = Array("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}".utf8)
    static let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test func rfc7515A1Sign() {
        #expect(Self.header == [123, 34, 116, 121, 112, 34, 58, 34, 74, 87, 84, 34, 44, 13, 10, 32,
                                34, 97, 108, 103, 34, 58, 34, 72, 83, 50, 53, 54, 34, 125])
        #expect(HS256.sign(header: Self.header, payload: Self.payload, key: Self.key) == Self.token)
        #expect(Self.token.hasSuffix(".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
    }

    @Test func rfc7515A1Verify() throws {
        let (header, payload) = try HS256.verify(Self.token, keys: [Self.key])
        #expect(header == Self.header)
        #expect(payload == Self.payload)
    }

    @Test func rfc7515A1RejectsAnotherKeyAndATamperedPayload() {
        var otherKey = Self.key
        otherKey[0] ^= 1
        #expect(throws: JWTError.invalidSignature) { try HS256.verify(Self.token, keys: [otherKey]) }
        let parts = Self.token.split(separator: ".").map(String.init)
        let tampered = parts[0] + "." + Base64URL.encode(Array("{\"iss\":\"joe\",\r\n \"exp\":1300819381,\r\n \"http://example.com/is_root\":true}".utf8)) + "." + parts[2]
        #expect(throws: JWTError.invalidSignature) { try HS256.verify(tampered, keys: [Self.key]) }
    }

    @Test func triesEveryKeyInOrder() throws {
        let other = [UInt8](repeating: 7, count: 32)
        #expect(try HS256.verify(Self.token, keys: [other, Self.key]).payload == Self.payload)
        #expect(throws: JWTError.invalidSignature) { try HS256.verify(Self.token, keys: []) }
    }
}
