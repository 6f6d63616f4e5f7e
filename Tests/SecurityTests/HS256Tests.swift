import Security
import Testing

/// RFC 7515 Appendix A.1: the HS256 example, with the exact bytes of the RFC (CRLF line breaks).
@Suite struct HS256Tests {
    static let key = Base64URL.decode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")!
    static let header = Array("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".utf8)
    static let payload = Array("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}".utf8)
    static let token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test func rfc7515A1Sign() {
        #expect(
            Self.header == [
                123, 34, 116, 121, 112, 34, 58, 34, 74, 87, 84, 34, 44, 13, 10, 32,
                34, 97, 108, 103, 34, 58, 34, 72, 83, 50, 53, 54, 34, 125,
            ])
        #expect(HS256.sign(header: Self.header, payload: Self.payload, key: Self.key) == Self.token)
    }

    /// A second vector, made outside this code base with Python's standard library:
    /// ```
    /// import base64, hashlib, hmac
    /// b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    /// signing = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(b'{"exp":2000000000,"sub":"42"}')
    /// print(signing + "." + b64(hmac.new(bytes(range(32)), signing.encode(), hashlib.sha256).digest()))
    /// ```
    @Test func pythonHMACVector() throws {
        let key = (0..<32).map { UInt8($0) }
        let header = Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8)
        let payload = Array("{\"exp\":2000000000,\"sub\":\"42\"}".utf8)
        let expected =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjIwMDAwMDAwMDAsInN1YiI6IjQyIn0"
            + "._8zeasBbmTn2zMcWIDydEnAUc0slPfysr2H_DJfSpAk"
        #expect(HS256.sign(header: header, payload: payload, key: key) == expected)
        let verified = try HS256.verify(expected, keys: [key])
        #expect(verified.header == header && verified.payload == payload)
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
        let tampered =
            parts[0] + "." + Base64URL.encode(Array("{\"iss\":\"joe\",\r\n \"exp\":1300819381,\r\n \"http://example.com/is_root\":true}".utf8)) + "."
            + parts[2]
        #expect(throws: JWTError.invalidSignature) { try HS256.verify(tampered, keys: [Self.key]) }
    }

    @Test func triesEveryKeyInOrder() throws {
        let other = [UInt8](repeating: 7, count: 32)
        #expect(try HS256.verify(Self.token, keys: [other, Self.key]).payload == Self.payload)
        #expect(throws: JWTError.invalidSignature) { try HS256.verify(Self.token, keys: []) }
    }
}
