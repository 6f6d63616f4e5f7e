import Foundation
import Testing
import TestSupport

/// Accounts, datasets, strategies and run polling for the strategy and run tests.
struct StrategyFixtures {
    let fx: AuthFixtures
    var client: TestHTTPClient { fx.client }
    var stack: TestStack { fx.stack }

    init() throws {
        fx = try AuthFixtures()
    }

    /// A signed-in account of `role` (created with the CLI).
    func account(_ role: String = "user") throws -> (account: AuthFixtures.Account, auth: [String: String]) {
        let account = try fx.createWithCLI(role: role)
        return (account, try fx.login(account).bearer)
    }

    /// The Quant fixtures' folder (backtesting.py reference files).
    var fixtures: String { stack.repo + "/Tests/QuantTests/Fixtures" }

    /// Uploads `text` as a wide daily CSV of `symbol`; returns the dataset's id.
    func upload(_ auth: [String: String], text: String, symbol: String = "AAA", name: String = AuthFixtures.uniqueName("ds")) throws -> Int {
        let response = try client.send("POST", "/api/v1/data/upload?name=\(name)&symbol=\(symbol)",
                                       headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        try #require(response.status == 201, "upload: \(response.status) \(response.text)")
        return try #require(response.json["id"] as? Int)
    }

    /// Uploads the Quant fixture `daily.csv` (500 business days).
    func uploadDaily(_ auth: [String: String], symbol: String = "AAA") throws -> Int {
        try upload(auth, text: try String(contentsOfFile: fixtures + "/daily.csv", encoding: .utf8), symbol: symbol)
    }

    /// Creates a builtin strategy; returns its JSON.
    @discardableResult
    func createStrategy(_ auth: [String: String], name: String = AuthFixtures.uniqueName("s"), kind: String = "sma_crossover",
                        parameters: [String: Any] = ["fast": 10, "slow": 30], trading: [String: Any] = [:],
                        extra: [String: Any] = [:]) throws -> [String: Any] {
        var body: [String: Any] = ["name": name, "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": kind,
                                   "parameters": parameters, "trading": trading]
        body.merge(extra) { $1 }
        let response = try client.send("POST", "/api/v1/strategies", headers: auth, json: body)
        try #require(response.status == 201, "create: \(response.status) \(response.text)")
        return response.json
    }

    /// Polls `GET /runs/:id` until `done` holds; returns the last answer.
    @discardableResult
    func poll(run id: Int, _ auth: [String: String], seconds: Double = 30, until done: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let response = try client.send("GET", "/api/v1/runs/\(id)", headers: auth)
            try #require(response.status == 200, "\(response.status) \(response.text)")
            if done(response.json) { return response.json }
            if Date() > deadline { throw TestHTTPError(description: "run \(id) still \(response.json["status"] ?? "?"): \(response.text)") }
            usleep(50_000)
        }
    }

    /// A `tm worker` of the stack, listening.
    func worker() throws -> TestWorker {
        let worker = try TestWorker(stack: stack, concurrency: 2,
                                    environment: ["TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        try worker.waitUntilListening()
        return worker
    }

    /// The pointers of a problem's `errors`.
    static func pointers(_ response: TestResponse) -> [String] {
        (response.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
    }
}
