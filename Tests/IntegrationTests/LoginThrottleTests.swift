import Foundation
import Synchronization
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

    /// Correct passwords sent at once from one address all sign in: attempts in flight wait
    /// for each other instead of counting as failures (parallel logins used to get 429
    /// "Too many failed logins", Retry-After 900).
    @Test func parallelCorrectLoginsFromOneAddressAllSucceed() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        // One thread each, released together (concurrentPerform would run only as many at
        // once as there are cores); 10 is the nginx credentials zone's burst.
        let port = fx.stack.port
        let answers = Mutex<[String]>([])
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for _ in 0..<10 {
            done.enter()
            Thread {
                start.wait()
                let answer: String
                do {
                    let response = try TestHTTPClient(port: port).send(
                        "POST", "/api/v1/auth/login", json: ["username": account.username, "password": account.password])
                    answer = "\(response.status) \(response.status == 200 ? "" : response.text)"
                } catch { answer = "error \(error)" }
                answers.withLock { $0.append(answer) }
                done.leave()
            }.start()
        }
        for _ in 0..<10 { start.signal() }
        done.wait()
        let all = answers.withLock { $0 }
        #expect(all.count == 10 && all.allSatisfy { $0.hasPrefix("200") }, "\(all)")
        // Nothing was counted as a failure: five wrong passwords still get their 401s.
        for _ in 0..<5 { #expect(try attempt(account.username, "Wrong-Password-1").status == 401) }
        #expect(try attempt(account.username, "Wrong-Password-1").status == 429)
    }

    /// A refusal for failures names them; the busy refusal is only for attempts in flight.
    @Test func aRefusalForFailuresSaysSo() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        for _ in 0..<5 { #expect(try attempt(account.username, "Wrong-Password-1").status == 401) }
        let refused = try attempt(account.username, account.password)
        #expect(refused.status == 429)
        #expect((refused.json["detail"] as? String)?.contains("Too many failed logins") == true, "\(refused.text)")
    }
}
