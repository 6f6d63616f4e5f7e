import Security
import Testing

@Suite struct Base64URLTests {
    /// RFC 4648 §10 vectors, unpadded.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(_ plain: String, _ encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test(arguments: ["Zg==", "Zm9v+", "+/8", "Zm9v Zg", "Z", "Zm9vY", "Zh", "Zm9", "Zm\n9v", "Zé"])
    func rejectsPaddingForeignCharactersBadLengthsAndNonCanonicalBits(_ text: String) {
        // "Zh" and "Zm9" carry non-zero unused bits: a second spelling of "f" and "fo".
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsAllLengths() throws {
        for count in 0..<70 {
            let bytes = try SecureRandom.bytes(count: count)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
