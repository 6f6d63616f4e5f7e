import Security
import Testing

@Suite struct HexTests {
    @Test func roundTrip() {
        let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "00017f80abff")
        #expect(Hex.decode("00017f80abff") == bytes)
        #expect(Hex.decode("00017F80ABFF") == bytes)
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode("") == [])
    }

    @Test(arguments: ["0", "abc", "zz", "0g", " 00", "é0"])
    func rejectsInvalidText(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func digitValues() {
        #expect(Array("0123456789abcdefABCDEF".utf8).map(Hex.digitValue) == (0...15).map { UInt8($0) } + (10...15).map { UInt8($0) })
        #expect(Array("gG/:@`% ".utf8).allSatisfy { Hex.digitValue($0) == nil })
    }
}
