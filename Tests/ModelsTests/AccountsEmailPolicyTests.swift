import Models
import Testing

@Suite struct AccountsEmailPolicyTests {
    @Test(arguments: [
        "a@b.co", "jane.doe+tm@example.com", "x_y-z@mail.sub.example.org", "o'brien@example.ie",
        "User@EXAMPLE.COM", "a@1.2.3.4", "a@xn--bcher-kva.example",
    ])
    func accepted(_ email: String) {
        #expect(EmailPolicy.validate(email).isEmpty)
    }

    @Test(arguments: [
        ("", "email.required"),
        ("plainaddress", "email.at_sign"),
        ("a@b@example.com", "email.at_sign"),
        ("@example.com", "email.local_empty"),
        ("a@localhost", "email.domain_dot"),
        ("a@", "email.domain_dot"),
        ("a@-example.com", "email.domain_labels"),
        ("a@example-.com", "email.domain_labels"),
        ("a@example..com", "email.domain_labels"),
        ("a@.example.com", "email.domain_labels"),
        ("a@example.com.", "email.domain_labels"),
        ("a@exa_mple.com", "email.domain_labels"),
        ("a@bücher.de", "email.domain_labels"),
        (".a@example.com", "email.local_characters"),
        ("a.@example.com", "email.local_characters"),
        ("a..b@example.com", "email.local_characters"),
        ("a b@example.com", "email.local_characters"),
        ("jürgen@example.com", "email.local_characters"),
        ("\"quoted\"@example.com", "email.local_characters"),
    ])
    func rejected(_ email: String, _ code: String) {
        #expect(EmailPolicy.validate(email).map(\.code) == [code])
        #expect(EmailPolicy.validate(email).allSatisfy { $0.field == "/email" })
    }

    @Test func lengthLimits() {
        let local64 = String(repeating: "a", count: 64)
        #expect(EmailPolicy.validate(local64 + "@example.com").isEmpty)
        #expect(EmailPolicy.validate(local64 + "a@example.com").map(\.code) == ["email.local_too_long"])
        let label63 = String(repeating: "d", count: 63)
        #expect(EmailPolicy.validate("a@\(label63).com").isEmpty)
        #expect(EmailPolicy.validate("a@\(label63)d.com").map(\.code) == ["email.domain_labels"])
        // 254 characters in all is the limit: "a@" + 3 labels of 63 + 3 dots + a 60-char label = 2 + 189 + 3 + 60.
        let domain254 = [label63, label63, label63, String(repeating: "e", count: 60)].joined(separator: ".")
        let at254 = "a@" + domain254
        #expect(at254.count == 254)
        #expect(EmailPolicy.validate(at254).isEmpty)
        #expect(EmailPolicy.validate("ab@" + domain254).map(\.code) == ["email.too_long"])
    }

    @Test func reportsEveryFailure() {
        #expect(EmailPolicy.validate(".a@b").map(\.code) == ["email.local_characters", "email.domain_dot"])
    }

    @Test func normalisesToLowerCase() {
        #expect(EmailPolicy.normalized("Jane.Doe@Example.COM") == "jane.doe@example.com")
    }
}
