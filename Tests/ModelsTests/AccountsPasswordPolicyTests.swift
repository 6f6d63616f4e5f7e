import Models
import Testing

@Suite struct AccountsPasswordPolicyTests {
    /// `count` characters that satisfy every character-class rule and are not common.
    static func password(length count: Int) -> String {
        let base = "Zq7"
        return base + String(repeating: "x", count: count - base.count)
    }

    @Test func lengthBoundaries() {
        #expect(PasswordPolicy.validate(Self.password(length: 7)).map(\.code) == ["password.too_short"])
        #expect(PasswordPolicy.validate(Self.password(length: 8)).isEmpty)
        #expect(PasswordPolicy.validate(Self.password(length: 128)).isEmpty)
        #expect(PasswordPolicy.validate(Self.password(length: 129)).map(\.code) == ["password.too_long"])
    }

    @Test func countsCharactersNotBytes() {
        // 8 characters, 23 UTF-8 bytes: accepted. 7 multi-byte characters: too short.
        let eight = "Zq7ééé😀ü"
        #expect(eight.count == 8 && eight.utf8.count > 8)
        #expect(PasswordPolicy.validate(eight).isEmpty)
        #expect(PasswordPolicy.validate("Zq7éé😀ü").map(\.code) == ["password.too_short"])
        // One character made of many combining marks counts once but is capped in bytes.
        let heavy = "Zq7" + String(repeating: "x", count: 4) + "e" + String(repeating: "\u{301}", count: 600)
        #expect(heavy.count == 8)
        #expect(PasswordPolicy.validate(heavy).map(\.code) == ["password.too_many_bytes"])
    }

    @Test func characterClasses() {
        #expect(PasswordPolicy.validate("zq7xxxxx").map(\.code) == ["password.uppercase"])
        #expect(PasswordPolicy.validate("ZQ7XXXXX").map(\.code) == ["password.lowercase"])
        #expect(PasswordPolicy.validate("ZqXxxxxx").map(\.code) == ["password.digit"])
        #expect(PasswordPolicy.validate("Ünïcødé7").isEmpty)  // non-ASCII letters count as letters
    }

    @Test func messagesNameTheRule() {
        let issues = PasswordPolicy.validate("")
        #expect(
            issues.map(\.message) == [
                "Password must be at least 8 characters long.",
                "Password must contain at least one upper-case letter.",
                "Password must contain at least one lower-case letter.",
                "Password must contain at least one digit.",
            ])
        #expect(issues.allSatisfy { $0.field == "/password" })
    }

    @Test func notTheUsernameInAnyCase() {
        #expect(PasswordPolicy.validate("Trader2024x", username: "trader2024X").map(\.code) == ["password.equals_username"])
        #expect(PasswordPolicy.validate("Trader2024x", username: "Trader2024x").map(\.code) == ["password.equals_username"])
        #expect(PasswordPolicy.validate("Trader2024x", username: "trader").isEmpty)
        #expect(PasswordPolicy.validate("Trader2024x", username: "").isEmpty)
    }

    @Test(arguments: ["Password1", "PASSWORD1".capitalized(), "pAsSwOrD1", "Qwerty123", "Iloveyou1"])
    func commonPasswordsInAnyCase(_ password: String) {
        #expect(PasswordPolicy.validate(password).map(\.code).contains("password.common"))
    }

    @Test func allFailuresAtOnce() {
        // "password": common, no upper case, no digit; equals the username too.
        #expect(
            PasswordPolicy.validate("password", username: "PASSWORD").map(\.code)
                == ["password.uppercase", "password.digit", "password.equals_username", "password.common"])
    }
}

extension String {
    /// Upper-case first letter, the rest lower-case (no Foundation needed).
    func capitalized() -> String { prefix(1).uppercased() + dropFirst().lowercased() }
}
