import Foundation
import TestSupport
import Testing

/// Failed-login throttling: after 5 failures in 15 minutes, per account or per client
/// address, the next attempt is 429 with Retry-After whatever the password.
@Suite(.serialized) struct LoginThrottleTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    func attempt(_ username: String, _ password: String) throws -> TestResponse {
        try fx.client.send("POST", "/api/v1/auth/login", json: ["username": username, "password": password])
    }

    @Test func sixthFailedLoginOnAnAccountIs429EvenWithTheRightPassword() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        for _ in 0..<5 {
            #expect(try attempt(account.username, "Wrong-Password-1").status == 401)
        }
        try fx.resetAddressThrottle()  // only the account's counter is at work below
        let sixth = try attempt(account.username, "Wrong-Password-1")
        #expect(sixth.status == 429)
        #expect(sixth.header("content-type") == "application/problem+json")
        let retry = try #require(sixth.header("retry-after").flatMap(Int.init))
        #expect((1...900).contains(retry))
        #expect(try attempt(account.username, account.password).status == 429)
        // By email too: the counter is the account's, not the string typed.
        #expect(try attempt(account.email, account.password).status == 429)
        // Other accounts from the same address are unaffected.
        _ = try fx.login(try fx.register())
    }

    @Test func fiveFailuresFromOneAddressThrottleEveryAccount() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        for _ in 0..<5 {
            #expect(try attempt(AuthFixtures.uniqueName("ghost"), "Wrong-Password-1").status == 401)
        }
        let account = try fx.register()
        let response = try attempt(account.username, account.password)
        #expect(response.status == 429)
        #expect(response.header("retry-after") != nil)
        try fx.resetAddressThrottle()
        #expect(try attempt(account.username, account.password).status == 200)
    }
}
