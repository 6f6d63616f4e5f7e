import Models
import Testing

@Suite struct AccountsUsernamePolicyTests {
    @Test(arguments: ["abc", "A.b-c_9", String(repeating: "x", count: 50), "jane.doe", "ALICE"])
    func accepted(_ name: String) {
        #expect(UsernamePolicy.validate(name).isEmpty)
    }

    @Test(arguments: ["ab", String(repeating: "x", count: 51), "a"])
    func wrongLength(_ name: String) {
        #expect(
            UsernamePolicy.validate(name) == [
                ValidationIssue(
                    field: "/username", code: "username.length", message: "Username must be 3 to 50 characters long.")
            ])
    }

    @Test(arguments: ["jane doe", "jürgen", "name@host", "emoji😀", "tab\tname", "semi;colon", "ｆｕｌｌ"])
    func forbiddenCharacters(_ name: String) {
        #expect(UsernamePolicy.validate(name).map(\.code) == ["username.characters"])
    }

    @Test func reportsLengthAndCharactersTogether() {
        #expect(UsernamePolicy.validate("ü").map(\.code) == ["username.length", "username.characters"])
        #expect(UsernamePolicy.validate("").map(\.code) == ["username.required"])
    }

    @Test func normalisesToLowerCase() {
        #expect(UsernamePolicy.normalized("Jane.DOE") == "jane.doe")
        #expect(UsernamePolicy.normalized("Jane.DOE") == UsernamePolicy.normalized("jane.doe"))
    }

    @Test func customField() {
        #expect(UsernamePolicy.validate("ab", field: "/user/name").first?.field == "/user/name")
    }
}
