import Security
import Testing

/// FNV-1a 64 against the published test vectors (Fowler, Noll, Vo; also what Python's
/// `h = 0xcbf29ce484222325; h = ((h ^ b) * 0x100000001b3) % 2**64` gives).
@Suite struct FNV1aTests {
    @Test func publishedVectors() {
        #expect(FNV1a.hash([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
        #expect(FNV1a().hex == "cbf29ce484222325")
    }

    @Test func streamingEqualsOneShot() {
        var fnv = FNV1a()
        fnv.update(Array("foo".utf8))
        fnv.update(Array("bar".utf8))
        #expect(fnv.value == FNV1a.hash(Array("foobar".utf8)))
    }

    @Test func hexHasNoLeadingZeros() {
        // Python: 'CREATE TABLE t (id bigint);\n' → 66c1c80f749548b (15 digits).
        var fnv = FNV1a()
        fnv.update("CREATE TABLE t (id bigint);\n".utf8)
        #expect(fnv.hex == "66c1c80f749548b")
    }
}
