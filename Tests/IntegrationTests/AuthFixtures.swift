import Foundation
import Security
import Testing
import TestSupport

/// Accounts, logins, forged tokens and Redis access for the authentication tests. Every
/// account gets a random suffix, since the database persists across runs.
struct AuthFixtures {
    let stack: TestStack
    let client: TestHTTPClient

    init() throws {
        stack = try TestStack.current()
        client = stack.client()
    }

    /// A password that passes the policy.
    static let password = "Correct-Horse-42"

    /// A fresh username like `t_1a2b3c4d5e`.
    static func uniqueName(_ prefix: String = "t") -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xff_ffff_ffff)"
    }

    /// A registered account.
    struct Account {
        var id: Int
        var username: String
        var email: String
        var password: String
    }

    /// Registers a new `user` account through the API.
    func register(prefix: String = "t", password: String = AuthFixtures.password) throws -> Account {
        let username = Self.uniqueName(prefix)
        let response = try client.send("POST", "/api/v1/auth/register", json: [
            "username": username, "email": "\(username)@example.com", "password": password,
            "full_name": "Test \(username)", "agree_terms": true,
        ])
        try #require(response.status == 201, "register: \(response.status) \(response.text)")
        return Account(id: try #require(response.json["id"] as? Int), username: username,
                       email: "\(username)@example.com", password: password)
    }

    /// Creates an account with `role` through `tm user create` (the bootstrap path).
    func createWithCLI(role: String, password: String = AuthFixtures.password) throws -> Account {
        let username = Self.uniqueName(role)
        let result = try TestStack.run(
            ["sh", "-c", "printf '%s\\n' \"$PW\" | \"$TM_BIN\" user create --username \"$NAME\" --email \"$NAME@example.com\" --role \"$ROLE\""],
            environment: ["PW": password, "TM_BIN": stack.binary, "NAME": username, "ROLE": role, "TM_ENV_FILE": stack.envFile])
        try #require(result.status == 0, "tm user create: \(result.output)")
        let id = try #require(result.output.split(separator: " ").dropFirst(2).first.flatMap { Int($0) }, "\(result.output)")
        return Account(id: id, username: username, email: "\(username)@example.com", password: password)
    }

    /// A session's tokens.
    struct Tokens {
        var access: String
        var refresh: String
        /// The `sid` claim.
        var sessionID: String
        var bearer: [String: String] { ["Authorization": "Bearer \(access)"] }
    }

    /// Logs `account` in through `POST /auth/login`.
    func login(_ account: Account, rememberMe: Bool = false, userAgent: String = "AuthTests") throws -> Tokens {
        let response = try client.send("POST", "/api/v1/auth/login", headers: ["User-Agent": userAgent],
                                       json: ["username": account.username, "password": account.password, "remember_me": rememberMe])
        try #require(response.status == 200, "login: \(response.status) \(response.text)")
        let tokens = try #require(response.json["tokens"] as? [String: Any])
        return try Self.tokens(from: tokens)
    }

    /// Tokens from a `{access_token, refresh_token}` object.
    static func tokens(from json: [String: Any]) throws -> Tokens {
        let access = try #require(json["access_token"] as? String)
        let refresh = try #require(json["refresh_token"] as? String)
        let payload = try #require(Self.claims(of: access))
        return Tokens(access: access, refresh: refresh, sessionID: try #require(payload["sid"] as? String))
    }

    /// The decoded payload of a JWT (no verification).
    static func claims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[1])) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The pool's SECRET_KEY, read from the stack's env file.
    func secretKey() throws -> String {
        let text = try String(contentsOfFile: stack.envFile, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("SECRET_KEY=") })
        var value = String(line.dropFirst("SECRET_KEY=".count))
        if value.count >= 2, value.first == "\"" || value.first == "'" { value = String(value.dropFirst().dropLast()) }
        return value
    }

    /// Runs `redis-cli` against the stack's Redis.
    @discardableResult
    func redis(_ arguments: String...) throws -> String {
        // redis-cli -u sends an empty user name with the password, which AUTH refuses.
        let url = try #require(URLComponents(string: stack.redisURL))
        let result = try TestStack.run(["redis-cli", "-h", url.host ?? "127.0.0.1", "-p", String(url.port ?? 6379)] + arguments,
                                       environment: ["REDISCLI_AUTH": url.password ?? ""])
        let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(result.status == 0 && !output.contains("NOAUTH") && !output.contains("ERR"), "redis-cli: \(output)")
        return output
    }

    /// Forgets the failed-login count of 127.0.0.1, so a test's deliberate failures do not
    /// throttle the tests after it (they all come from the same address).
    func resetAddressThrottle() throws {
        try redis("DEL", "auth:fail:ip:127.0.0.1")
    }
}
