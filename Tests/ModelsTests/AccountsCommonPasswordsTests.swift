import Models
import Testing

@Suite struct AccountsCommonPasswordsTests {
    @Test func listIsCompiledInAndLarge() {
        #expect(CommonPasswords.count >= 10_000)
        #expect(CommonPasswords.count == 19_640)
    }

    @Test func caseInsensitiveMembership() {
        for password in ["123456", "password", "PASSWORD", "QwErTy", "\"zxcvbnm,./\"", "fallen_angel"] {
            #expect(CommonPasswords.contains(password), "\(password)")
        }
        #expect(!CommonPasswords.contains("Zq7-not-common-\u{1F600}"))
        #expect(!CommonPasswords.contains(""))
    }

    @Test func safeFromManyThreadsAtFirstUse() async {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 { group.addTask { CommonPasswords.contains("letmein") } }
            for await found in group { #expect(found) }
        }
    }
}
