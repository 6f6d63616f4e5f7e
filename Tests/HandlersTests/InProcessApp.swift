import Configuration
import Foundation
import Handlers
import Logging
import Models
import TMFcgi
import TestSupport
import Testing

/// The application (`API.makeApplication`) with its real stores, called in-process without
/// nginx, against a database of its own on the stack's PostgreSQL (migrated with `tm migrate`)
/// and the stack's Redis. A suite gets one with the `.inProcess` trait, which drops the
/// database when the suite ends; suites with their own databases can run in parallel.
///
/// Redis is shared, so the database's ids start at a random offset above 10⁹ (Redis keys
/// name users, jobs and runs by id), and requests come from an address of the app's own (the
/// login throttle counts failures per address).
public final class InProcessApp: TestClient, @unchecked Sendable {
    /// The services `scripts/test` started.
    public let stack: TestStack
    /// The app's scratch database.
    public let database: (name: String, url: String)
    /// The application.
    public let application: Application<AppContext>
    /// The address every request comes from.
    public let clientAddress: String

    /// The app of the running suite (set by the `.inProcess` trait).
    @TaskLocal public static var current: InProcessApp?

    /// A fresh database `PREFIX_N`, migrated, and the application over it with the stack's
    /// settings and `overrides`.
    public init(prefix: String, overrides: [String: String] = [:]) throws {
        let stack = try TestStack.current()
        let database = try stack.scratchDatabase(prefix: prefix)
        do {
            let migrated = try stack.tm(["migrate"], ["DATABASE_URL": database.url])
            guard migrated.status == 0 else { throw TestHTTPError(description: "tm migrate: \(migrated.output)") }
            let base = 1_000_000_000 + Int.random(in: 0..<1000) * 1_000_000
            let offset = try TestStack.run([
                "psql", database.url, "-qc",
                """
                SELECT setval(format('%I.%I', schemaname, sequencename), \(base)) FROM pg_sequences WHERE schemaname = 'public'
                """,
            ])
            guard offset.status == 0 else { throw TestHTTPError(description: "setval: \(offset.output)") }
            var environment = ["DATABASE_URL": database.url]
            environment.merge(overrides) { $1 }
            var logger = Logger(label: "in-process")
            logger.logLevel = .critical
            application = try API.makeApplication(
                settings: try Settings.load(environment: environment, envFile: stack.envFile),
                logger: logger)
        } catch {
            stack.dropDatabase(database.name)
            throw error
        }
        self.stack = stack
        self.database = database
        clientAddress = "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
    }

    /// Drops the database (closing the app's connections to it).
    public func close() {
        stack.dropDatabase(database.name)
    }

    /// The app of the running suite; an error when the suite lacks the `.inProcess` trait.
    public static func suite() throws -> InProcessApp {
        guard let current else { throw TestHTTPError(description: "an in-process suite needs the .inProcess(...) trait") }
        return current
    }

    /// Account, dataset and strategy fixtures over this app and its database.
    public var fixtures: AuthFixtures { AuthFixtures(stack: stack, client: self, databaseURL: database.url, clientAddress: clientAddress) }

    /// Calls the application with a request built as nginx would pass it.
    public func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]) throws -> TestResponse {
        guard let method = HTTPMethod(rawValue: method) else { throw TestHTTPError(description: "unknown method \(method)") }
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var fields = headers.map { ($0.key, $0.value) }
        if !body.isEmpty || [.post, .put, .patch].contains(method) { fields.append(("Content-Length", String(body.count))) }
        let request = Request(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
            headers: HTTPHeaders(fields), clientAddress: clientAddress, body: RequestBody(bytes: body))
        let response = application.respond(to: request)
        var answer: [String: String] = [:]
        for (name, value) in response.headers {
            answer[name.lowercased()] = answer[name.lowercased()].map { $0 + ", " + value } ?? value
        }
        var bytes = response.body
        if let stream = response.stream {
            let sink = ByteSink()
            try stream { sink.bytes.append(contentsOf: $0) }
            bytes = sink.bytes
        }
        return try TestResponse(status: response.status.code, headers: answer, body: bytes).checkedProblem()
    }

    /// Where a streamed body is collected.
    private final class ByteSink: @unchecked Sendable {
        var bytes: [UInt8] = []
    }
}

/// Builds an ``InProcessApp`` for a suite, on a database named after `prefix`, and drops the
/// database when the suite ends.
public struct InProcessTrait: SuiteTrait, TestScoping {
    let prefix: String
    let overrides: [String: String]

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let app = try InProcessApp(prefix: prefix, overrides: overrides)
        defer { app.close() }
        try await InProcessApp.$current.withValue(app) { try await function() }
    }
}

extension Trait where Self == InProcessTrait {
    /// The suite's tests call the application in-process (see ``InProcessApp``), on a database
    /// of the suite's own named `tm_PREFIX_N`.
    public static func inProcess(_ prefix: String, overrides: [String: String] = [:]) -> Self {
        InProcessTrait(prefix: "tm_" + prefix, overrides: overrides)
    }
}
