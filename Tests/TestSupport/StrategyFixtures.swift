import Foundation

/// Accounts, datasets, strategies and run polling for the strategy and run tests, through
/// nginx or in-process.
public struct StrategyFixtures: Sendable {
    /// The account fixtures, whose client and database these use.
    public let fx: AuthFixtures
    /// What requests go through.
    public var client: any TestClient { fx.client }
    /// The services `scripts/test` started.
    public var stack: TestStack { fx.stack }

    /// Fixtures for the shared pool through nginx.
    public init() throws {
        fx = try AuthFixtures()
    }

    /// Fixtures over `fx`'s client and database.
    public init(_ fx: AuthFixtures) {
        self.fx = fx
    }

    /// A signed-in account of `role` (created with the CLI).
    public func account(_ role: String = "user") throws -> (account: AuthFixtures.Account, auth: [String: String]) {
        try fx.account(role)
    }

    /// The Quant fixtures' folder (backtesting.py reference files).
    public var fixtures: String { stack.repo + "/Tests/QuantTests/Fixtures" }

    /// Uploads `text` as a wide daily CSV of `symbol`; returns the dataset's id.
    public func upload(_ auth: [String: String], text: String, symbol: String = "AAA", name: String = AuthFixtures.uniqueName("ds")) throws -> Int {
        let response = try client.send(
            "POST", "/api/v1/data/upload?name=\(name)&symbol=\(symbol)",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        try check(response.status == 201, "upload: \(response.status) \(response.text)")
        return try unwrap(response.json["id"] as? Int, "upload: no id in \(response.text)")
    }

    /// Uploads the Quant fixture `daily.csv` (500 business days).
    public func uploadDaily(_ auth: [String: String], symbol: String = "AAA") throws -> Int {
        try upload(auth, text: try String(contentsOfFile: fixtures + "/daily.csv", encoding: .utf8), symbol: symbol)
    }

    /// Creates a builtin strategy; returns its JSON.
    @discardableResult
    public func createStrategy(
        _ auth: [String: String], name: String = AuthFixtures.uniqueName("s"), kind: String = "sma_crossover",
        parameters: [String: Any] = ["fast": 10, "slow": 30], trading: [String: Any] = [:],
        extra: [String: Any] = [:]
    ) throws -> [String: Any] {
        var body: [String: Any] = [
            "name": name, "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": kind,
            "parameters": parameters, "trading": trading,
        ]
        body.merge(extra) { $1 }
        let response = try client.send("POST", "/api/v1/strategies", headers: auth, json: body)
        try check(response.status == 201, "create: \(response.status) \(response.text)")
        return response.json
    }

    /// Polls `GET /runs/:id` until `done` holds; returns the last answer.
    @discardableResult
    public func poll(run id: Int, _ auth: [String: String], seconds: Double = 30, until done: ([String: Any]) -> Bool) throws -> [String: Any] {
        try client.poll("/api/v1/runs/\(id)", auth, seconds: seconds, until: done)
    }

    /// A `tm worker` on the fixtures' database, listening, with `environment` on top.
    public func worker(_ environment: [String: String] = [:]) throws -> TestWorker {
        let worker = try TestWorker(
            stack: stack, concurrency: 2,
            environment: ["TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1", "DATABASE_URL": fx.databaseURL].merging(
                environment
            ) { $1 })
        try worker.waitUntilListening()
        return worker
    }

    /// The pointers of a problem's `errors`.
    public static func pointers(_ response: TestResponse) -> [String] {
        (response.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
    }
}
