import Models
import Testing

@Suite struct AccountsValidationTests {
    @Test func validAccount() {
        #expect(AccountValidation.validate(username: "Jane.Doe", email: "Jane@Example.com", password: "Tr4ding-Desk").isEmpty)
    }

    @Test func everyFieldReportedWithItsPointer() {
        let issues = AccountValidation.validate(username: "jö", email: "jane@localhost", password: "JÖ")
        #expect(
            issues.map(\.field) == [
                "/username", "/username", "/email",
                "/password", "/password", "/password", "/password",
            ])
        #expect(
            issues.map(\.code) == [
                "username.length", "username.characters", "email.domain_dot",
                "password.too_short", "password.lowercase", "password.digit",
                "password.equals_username",
            ])
    }

    @Test func issueDescription() {
        #expect(
            String(describing: ValidationIssue(field: "/email", code: "email.required", message: "Email address is required."))
                == "/email: Email address is required.")
    }
}
