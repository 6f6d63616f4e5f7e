import Security
import Testing

@Suite struct APIKeyTests {
    @Test func shapePrefixAndStoredHash() throws {
        let key = try APIKey.generate()
        #expect(key.plaintext.hasPrefix("tmk_"))
        #expect(key.plaintext.count == 4 + 43)
        #expect(key.prefix == String(key.plaintext.dropFirst(4).prefix(8)))
        #expect(key.hashHex == Hex.encode(SHA256.hash(key.plaintext)))
        #expect(key.hashHex.count == 64)
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

    @Test(arguments: ["", "tmk_", "tmk_abc", "xyz_" + String(repeating: "A", count: 43),
                      "tmk_" + String(repeating: "A", count: 42), "tmk_" + String(repeating: "+", count: 43)])
    func malformedKeys(_ key: String) {
        #expect(!APIKey.isWellFormed(key))
        #expect(APIKey.prefix(of: key) == nil)
    }
}
