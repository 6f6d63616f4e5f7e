import Foundation
import Security

/// Accounts, logins, forged tokens and Redis access for tests, through nginx or in-process
/// (any ``TestClient``). Every account gets a random suffix, since databases persist across
/// runs.
public struct AuthFixtures: Sendable {
    /// The services `scripts/test` started.
    public let stack: TestStack
    /// What requests go through.
    public let client: any TestClient
    /// The database of the application behind `client`, where `tm user create` adds accounts.
    public let databaseURL: String
    /// The address the application sees requests come from.
    public let clientAddress: String

    /// Fixtures for the shared pool through nginx.
    public init() throws {
        let stack = try TestStack.current()
        self.init(stack: stack, client: stack.client(), databaseURL: stack.databaseURL, clientAddress: "127.0.0.1")
    }

    /// Fixtures for the application behind `client`, whose database is `databaseURL` and which
    /// sees requests come from `clientAddress`.
    public init(stack: TestStack, client: any TestClient, databaseURL: String, clientAddress: String) {
        self.stack = stack
        self.client = client
        self.databaseURL = databaseURL
        self.clientAddress = clientAddress
    }

    /// The client through nginx, for what only a socket can do (raw bytes, a longer timeout);
    /// nil in-process.
    public var nginx: TestHTTPClient? { client as? TestHTTPClient }

    /// A password that passes the policy.
    public static let password = "Correct-Horse-42"

    /// A fresh username like `t_1a2b3c4d5e`.
    public static func uniqueName(_ prefix: String = "t") -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xff_ffff_ffff)"
    }

    /// A registered account.
    public struct Account: Sendable {
        public var id: Int
        public var username: String
        public var email: String
        public var password: String
    }

    /// Registers a new `user` account through the API.
    public func register(prefix: String = "t", password: String = AuthFixtures.password) throws -> Account {
        let username = Self.uniqueName(prefix)
        let response = try client.send(
            "POST", "/api/v1/auth/register",
            json: [
                "username": username, "email": "\(username)@example.com", "password": password,
                "full_name": "Test \(username)", "agree_terms": true,
            ])
        try check(response.status == 201, "register: \(response.status) \(response.text)")
        return Account(
            id: try unwrap(response.json["id"] as? Int, "register: no id in \(response.text)"), username: username,
            email: "\(username)@example.com", password: password)
    }

    /// Creates an account with `role` through `tm user create` (the bootstrap path).
    public func createWithCLI(role: String, password: String = AuthFixtures.password) throws -> Account {
        let username = Self.uniqueName(role)
        let result = try TestStack.run(
            ["sh", "-c", "printf '%s\\n' \"$PW\" | \"$TM_BIN\" user create --username \"$NAME\" --email \"$NAME@example.com\" --role \"$ROLE\""],
            environment: [
                "PW": password, "TM_BIN": stack.binary, "NAME": username, "ROLE": role, "TM_ENV_FILE": stack.envFile,
                "DATABASE_URL": databaseURL,
            ])
        try check(result.status == 0, "tm user create: \(result.output)")
        let id = try unwrap(result.output.split(separator: " ").dropFirst(2).first.flatMap { Int($0) }, "tm user create: \(result.output)")
        return Account(id: id, username: username, email: "\(username)@example.com", password: password)
    }

    /// A session's tokens.
    public struct Tokens: Sendable {
        public var access: String
        public var refresh: String
        /// The `sid` claim.
        public var sessionID: String
        /// The `Authorization` header of the access token.
        public var bearer: [String: String] { ["Authorization": "Bearer \(access)"] }
    }

    /// Logs `account` in through `POST /auth/login`.
    public func login(_ account: Account, rememberMe: Bool = false, userAgent: String = "AuthTests") throws -> Tokens {
        let response = try client.send(
            "POST", "/api/v1/auth/login", headers: ["User-Agent": userAgent],
            json: ["username": account.username, "password": account.password, "remember_me": rememberMe])
        try check(response.status == 200, "login: \(response.status) \(response.text)")
        return try Self.tokens(from: try unwrap(response.json["tokens"] as? [String: Any], "login: no tokens in \(response.text)"))
    }

    /// A signed-in account of `role` (created with the CLI) and its bearer header.
    public func account(_ role: String = "user") throws -> (account: Account, auth: [String: String]) {
        let account = try createWithCLI(role: role)
        return (account, try login(account).bearer)
    }

    /// Tokens from a `{access_token, refresh_token}` object.
    public static func tokens(from json: [String: Any]) throws -> Tokens {
        let access = try unwrap(json["access_token"] as? String, "no access_token in \(json)")
        let refresh = try unwrap(json["refresh_token"] as? String, "no refresh_token in \(json)")
        let payload = try unwrap(Self.claims(of: access), "the access token is not a JWT")
        return Tokens(access: access, refresh: refresh, sessionID: try unwrap(payload["sid"] as? String, "no sid in \(payload)"))
    }

    /// The decoded payload of a JWT (no verification).
    public static func claims(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[1])) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The pool's SECRET_KEY, read from the stack's env file.
    public func secretKey() throws -> String {
        let text = try String(contentsOfFile: stack.envFile, encoding: .utf8)
        let line = try unwrap(text.split(separator: "\n").first { $0.hasPrefix("SECRET_KEY=") }, "no SECRET_KEY in \(stack.envFile)")
        var value = String(line.dropFirst("SECRET_KEY=".count))
        if value.count >= 2, value.first == "\"" || value.first == "'" { value = String(value.dropFirst().dropLast()) }
        return value
    }

    /// One value (or rows, a line each) from `query` on the fixtures' database.
    public func sql(_ query: String) throws -> String {
        try stack.sql(query, database: databaseURL)
    }

    /// Runs `redis-cli` against the stack's Redis.
    @discardableResult
    public func redis(_ arguments: String...) throws -> String {
        // redis-cli -u sends an empty user name with the password, which AUTH refuses.
        let url = try unwrap(URLComponents(string: stack.redisURL), "REDIS_URL is not a URL")
        let result = try TestStack.run(
            ["redis-cli", "-h", url.host ?? "127.0.0.1", "-p", String(url.port ?? 6379)] + arguments,
            environment: ["REDISCLI_AUTH": url.password ?? ""])
        let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try check(result.status == 0 && !output.contains("NOAUTH") && !output.contains("ERR"), "redis-cli: \(output)")
        return output
    }

    /// Forgets the failed-login count of the client's address, so a test's deliberate
    /// failures do not throttle the tests after it (they all come from the same address).
    public func resetAddressThrottle() throws {
        try redis("DEL", "auth:fail:ip:\(clientAddress)")
    }
}
