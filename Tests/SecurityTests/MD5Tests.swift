import Security
import Testing

@Suite struct MD5Tests {
    @Test func knownVectorsFromRFC1321() {
        #expect(Hex.encode(MD5.hash(Array("".utf8))) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Hex.encode(MD5.hash(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Hex.encode(MD5.hash(Array("message digest".utf8))) == "f96b697d7cb7938d525a2f31aaf161d0")
    }
}
