import Security
import Testing

@Suite struct SecureRandomTests {
    @Test func lengthsAndDistinctness() throws {
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a.count == 32)
        #expect(a != b)
    }
}
