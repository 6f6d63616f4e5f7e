import Foundation
import TestSupport
import Testing

/// What can be checked before a 202 is checked before it (issue 26): a long job is accepted
/// only when it can run, and a request that cannot is a 422 at its pointer now, not a job
/// that fails later.
@Suite(.inProcess("accept")) struct AcceptanceTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    @Test func aSearchThatCannotRunIsRefusedBeforeItIsAccepted() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        func start(_ changes: [String: Any]) throws -> TestResponse {
            var config: [String: Any] = [
                "method": "grid", "space": ["fast": ["min": 5, "max": 10, "step": 5], "slow": ["min": 20, "max": 30, "step": 10]],
                "max_trials": 10, "objective": "sharpe", "split": ["train": 0.6, "valid": 0.2, "test": 0.2],
            ]
            config.merge(changes) { $1 }
            return try sx.client.send(
                "POST", "/api/v1/training/start", headers: auth, json: ["strategy_id": strategy, "dataset_id": dataset, "config": config])
        }
        // Every point breaks fast < slow, on a grid and on random draws.
        for method in ["grid", "random"] {
            let impossible = try start([
                "method": method, "space": ["fast": ["min": 20, "max": 30, "step": 5], "slow": ["min": 5, "max": 10, "step": 5]],
            ])
            #expect(impossible.status == 422 && StrategyFixtures.pointers(impossible) == ["/config/space"], "\(method): \(impossible.text)")
            #expect(impossible.text.contains("no candidate"), "\(impossible.text)")
        }
        // A symbol the dataset lacks.
        let symbol = try start(["symbol": "ZZZ"])
        #expect(symbol.status == 422 && StrategyFixtures.pointers(symbol) == ["/config/symbol"], "\(symbol.text)")
        // Neither refusal queued anything; a space with one valid point among invalid ones is
        // accepted, as is the dataset's own symbol.
        #expect(try sx.fx.sql("SELECT count(*) FROM jobs") == "0")
        let some = try start(["space": ["fast": ["min": 5, "max": 40, "step": 35], "slow": ["min": 20, "max": 30, "step": 10]], "symbol": "AAA"])
        #expect(some.status == 202, "\(some.text)")
    }
}
