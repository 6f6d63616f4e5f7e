import Foundation

/// The services `scripts/test` started, found through `TM_TEST_*` variables. A test that
/// needs them fails (never skips) when they are missing.
public struct TestStack: Sendable {
    /// nginx in front of the shared pool, e.g. `http://127.0.0.1:18000`.
    public let baseURL: String
    /// nginx's port.
    public let port: Int
    /// nginx's TLS port (a self-signed certificate for `localhost`, in `state`/tls).
    public let httpsPort: Int
    /// The state folder of the test profile.
    public let state: String
    /// The `tm` binary the pool runs.
    public let binary: String
    /// The checkout.
    public let repo: String
    /// The settings file the pool reads.
    public let envFile: String
    /// `scripts/lib/servicectl` (stop/start PostgreSQL or Redis).
    public let servicectl: String
    /// PostgreSQL and Redis URLs.
    public let databaseURL: String
    public let redisURL: String

    /// Error when the stack is not there.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
        /// Names what is missing.
        public init(description: String) { self.description = description }
    }

    /// The stack, or an error naming the missing variable (run the suite with ./scripts/test).
    public static func current() throws -> TestStack {
        let env = ProcessInfo.processInfo.environment
        func need(_ name: String) throws -> String {
            guard let value = env[name], !value.isEmpty else {
                throw Missing(
                    description: "\(name) is not set: run the suite with ./scripts/test, which starts PostgreSQL, Redis, the pool and nginx")
            }
            return value
        }
        let base = try need("TM_TEST_BASE_URL")
        guard let port = URLComponents(string: base)?.port else { throw Missing(description: "TM_TEST_BASE_URL has no port") }
        guard let httpsPort = Int(try need("TM_TEST_HTTPS_PORT")) else { throw Missing(description: "TM_TEST_HTTPS_PORT is not a port") }
        return TestStack(
            baseURL: base, port: port, httpsPort: httpsPort, state: try need("TM_TEST_STATE"), binary: try need("TM_TEST_BIN"),
            repo: try need("TM_TEST_REPO"), envFile: try need("TM_TEST_ENV_FILE"),
            servicectl: try need("TM_TEST_SERVICECTL"), databaseURL: try need("DATABASE_URL"),
            redisURL: try need("REDIS_URL"))
    }

    /// Stops or starts `service` (`postgres`, `redis` or `relay`); throws when it fails.
    public func control(_ service: String, _ action: String) throws {
        let result = try TestStack.run([servicectl, service, action], environment: ["TM_TEST_STATE": state])
        guard result.status == 0 else { throw Missing(description: "servicectl \(service) \(action): \(result.output)") }
    }

    /// A client for the shared nginx.
    public func client() -> TestHTTPClient { TestHTTPClient(port: port) }

    /// A fresh database `PREFIX_N` on the stack's PostgreSQL, for a test that must not touch
    /// the shared one; the caller drops it with `dropDatabase`.
    public func scratchDatabase(prefix: String = "tm_scratch") throws -> (name: String, url: String) {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let created = try TestStack.run(["psql", databaseURL, "-qc", "CREATE DATABASE \(name)"])
        guard created.status == 0 else { throw Missing(description: "CREATE DATABASE \(name): \(created.output)") }
        let base = databaseURL[..<databaseURL.lastIndex(of: "/")!]
        return (name, base + "/" + name)
    }

    /// One value (or rows, a line each) from `query` on `database` (the stack's by default).
    public func sql(_ query: String, database: String? = nil) throws -> String {
        let result = try TestStack.run(["psql", database ?? databaseURL, "-tAc", query])
        guard result.status == 0 else { throw Missing(description: "psql: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Drops a scratch database, closing its connections.
    public func dropDatabase(_ name: String) {
        _ = try? TestStack.run(["psql", databaseURL, "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }

    /// Runs the stack's `tm` with its settings file and `environment` on top.
    public func tm(_ arguments: [String], _ environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try TestStack.run([binary] + arguments, environment: ["TM_ENV_FILE": envFile].merging(environment) { $1 })
    }

    /// Runs a command, returning its exit status and combined output.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tm-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pid = try Subprocess.spawn(arguments, environment: env, outputPath: path)
        let waited = Subprocess.wait(pid, seconds: 300)
        if waited == nil {
            // Past its time (a command waiting for input that never comes): it does not outlive
            // the test.
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 10)
        }
        let status = waited ?? -1
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return (status, String(decoding: data, as: UTF8.self))
    }
}
