import Foundation
import TestSupport
import Testing

/// Accounts, strategies (inserted with SQL until the strategies API is merged), datasets,
/// a `tm worker` tuned for short polls, and polling of a training's status.
struct TrainingFixtures {
    let fx: AuthFixtures
    var client: any TestClient { fx.client }
    var stack: TestStack { fx.stack }

    /// Cancels jobs an earlier test left unfinished, so this test's worker sees only its own.
    init() throws {
        fx = try AuthFixtures()
        let cleanup = try TestStack.run([
            "psql", fx.stack.databaseURL, "-qc",
            """
            UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE status IN ('queued', 'running')
            """,
        ])
        try #require(cleanup.status == 0, "\(cleanup.output)")
    }

    /// A worker polling the service every 50 ms (at most 200 ms), with quick retries.
    func worker(_ environment: [String: String] = [:]) throws -> TestWorker {
        let worker = try TestWorker(
            stack: stack, concurrency: 2,
            environment: [
                "TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1", "TM_JOB_BACKOFF_MS": "100", "TM_JOB_POLL_MS": "100",
                "TM_TRADEMASTER_POLL_MS": "50", "TM_TRADEMASTER_MAX_POLL_MS": "200", "TM_TRADEMASTER_STALL_S": "5",
                "TM_TRADEMASTER_TIMEOUT_S": "60", "TM_TRADEMASTER_RETRIES": "2", "TM_TRADEMASTER_RETRY_MS": "50",
                "TM_TRADEMASTER_BREAKER_FAILURES": "3", "TM_TRADEMASTER_BREAKER_OPEN_S": "1", "TM_TRAINING_THREADS": "2",
            ].merging(environment) { $1 })
        try worker.waitUntilListening()
        return worker
    }

    /// A fresh `user` and their bearer header.
    func user() throws -> (account: AuthFixtures.Account, auth: [String: String]) {
        let account = try fx.register(prefix: "tr")
        return (account, try fx.login(account).bearer)
    }

    /// One value from PostgreSQL.
    func sql(_ query: String) throws -> String {
        try DataFixtures.sql(stack, query)
    }

    /// A trademaster strategy (deepscalper on BTC) created through the strategies API.
    func tradeMasterStrategy(_ auth: [String: String]) throws -> Int {
        try strategy(
            auth,
            [
                "strategy_type": "algorithmic_trading", "engine": "trademaster",
                "config": [
                    "task_name": "algorithmic_trading", "dataset_name": "BTC", "agent_name": "deepscalper",
                    "optimizer_name": "adam", "loss_name": "mse",
                ],
            ])
    }

    /// A builtin sma_crossover strategy (fast 10, slow 30) created through the strategies API.
    func builtinStrategy(_ auth: [String: String]) throws -> Int {
        try strategy(
            auth,
            [
                "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "sma_crossover",
                "parameters": ["fast": 10, "slow": 30],
            ])
    }

    func strategy(_ auth: [String: String], _ body: [String: Any]) throws -> Int {
        let response = try client.send(
            "POST", "/api/v1/strategies", headers: auth,
            json: body.merging(["name": AuthFixtures.uniqueName("strategy")]) { $1 })
        try #require(response.status == 201, "create strategy: \(response.status) \(response.text)")
        return try #require(response.json["id"] as? Int)
    }

    /// Uploads `csv` as a dataset of one symbol; its id.
    func dataset(_ csv: String, auth: [String: String]) throws -> Int {
        let name = AuthFixtures.uniqueName("bars")
        let response = try client.send(
            "POST", "/api/v1/data/upload?name=\(name)&symbol=SPY",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(csv.utf8))
        try #require(response.status == 201, "upload: \(response.status) \(response.text)")
        return try #require(response.json["id"] as? Int)
    }

    /// Polls `path` until `done` holds; the last answer.
    @discardableResult
    func poll(_ path: String, _ auth: [String: String], seconds: Double = 30, until done: ([String: Any]) -> Bool) throws -> [String: Any] {
        try client.poll(path, auth, seconds: seconds, until: done)
    }

    /// Polls until the status is one of the finished ones.
    func finished(_ path: String, _ auth: [String: String], seconds: Double = 30) throws -> [String: Any] {
        try poll(path, auth, seconds: seconds) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String ?? "") }
    }
}
