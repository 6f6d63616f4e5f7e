import Security
import Testing

@Suite struct APIKeyTests {
    /// A fixed key and its stored hash, computed outside this code base:
    /// `printf %s tmk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 | openssl dgst -sha256`
    /// (the key is `tmk_` + base64url of the bytes 0…31; Python's hashlib agrees).
    @Test func fixedKeyVector() {
        let key = "tmk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
        #expect(APIKey.isWellFormed(key))
        #expect(APIKey.prefix(of: key) == "AAECAwQF")
        #expect(APIKey.hash(key) == "751c983e73eba7550646f9b2f2a55d72c3200f690221250e9ed965929dd09076")
    }

    @Test func generatedKeysHaveTheDocumentedShape() throws {
        let key = try APIKey.generate()
        #expect(key.plaintext.count == 47)
        #expect(key.plaintext.hasPrefix("tmk_" + key.prefix))
        #expect(key.prefix.count == 8)
        #expect(key.plaintext.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(key.hashHex.count == 64 && key.hashHex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(APIKey.hash(key.plaintext) == key.hashHex)
        #expect(APIKey.isWellFormed(key.plaintext))
        #expect(APIKey.prefix(of: key.plaintext) == key.prefix)
        #expect(try APIKey.generate().plaintext != key.plaintext)
    }

    @Test func descriptionHidesThePlaintext() throws {
        let key = try APIKey.generate()
        #expect(!String(describing: key).contains(key.plaintext))
        #expect(String(describing: key).contains(key.prefix))
    }

    @Test(arguments: [
        "", "tmk_", "tmk_abc", "xyz_" + String(repeating: "A", count: 43),
        "tmk_" + String(repeating: "A", count: 42), "tmk_" + String(repeating: "+", count: 43),
    ])
    func malformedKeys(_ key: String) {
        #expect(!APIKey.isWellFormed(key))
        #expect(APIKey.prefix(of: key) == nil)
    }
}
