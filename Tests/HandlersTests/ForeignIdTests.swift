import Foundation
import TestSupport
import Testing

/// One rule for ids that are not the caller's (issue 26): in a request body, as in a path,
/// another user's id and an unknown one are both a 404 naming the member, on every route that
/// takes an id in its body.
@Suite(.inProcess("foreignids")) struct ForeignIdTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    @Test func anotherUsersIdInABodyIsA404NamingIt() throws {
        let (_, owner) = try sx.account()
        let (_, caller) = try sx.account()
        let theirDataset = try sx.uploadDaily(owner)
        let theirStrategy = try #require(try sx.createStrategy(owner)["id"] as? Int)
        let theirRun = try #require(
            try sx.client.send(
                "POST", "/api/v1/analysis/backtest", headers: owner,
                json: ["strategy_id": theirStrategy, "dataset_id": theirDataset, "symbol": "AAA"]
            ).json["run_id"] as? Int)
        let dataset = try sx.uploadDaily(caller)
        let strategy = try #require(try sx.createStrategy(caller)["id"] as? Int)
        let run = try #require(
            try sx.client.send(
                "POST", "/api/v1/analysis/backtest", headers: caller, json: ["strategy_id": strategy, "dataset_id": dataset, "symbol": "AAA"]
            ).json["run_id"] as? Int)
        let unknown = 9_000_000_000_000
        // For each route, the caller's own ids give an answer other than 404, and the id at
        // `pointer` replaced by theirs, or by one nobody has, gives the same 404.
        let labelling: [String: Any] = [
            "start_date": "2020-01-01", "end_date": "2021-01-01", "number_of_market_style": 3, "labeling_method": "quantile",
        ]
        let cases: [(route: String, pointer: String, body: (Int) -> [String: Any], theirs: Int)] = [
            ("/api/v1/strategies/\(strategy)/execute", "/dataset_id", { ["dataset_id": $0, "symbol": "AAA"] }, theirDataset),
            ("/api/v1/analysis/backtest", "/strategy_id", { ["strategy_id": $0, "dataset_id": dataset, "symbol": "AAA"] }, theirStrategy),
            ("/api/v1/analysis/backtest", "/dataset_id", { ["strategy_id": strategy, "dataset_id": $0, "symbol": "AAA"] }, theirDataset),
            (
                "/api/v1/analysis/backtest", "/benchmark/dataset_id",
                { ["strategy_id": strategy, "dataset_id": dataset, "symbol": "AAA", "benchmark": ["dataset_id": $0, "symbol": "AAA"]] }, theirDataset
            ),
            ("/api/v1/analysis/compare", "/run_ids/1", { ["run_ids": [run, $0]] }, theirRun),
            ("/api/v1/data/preprocess", "/dataset_id", { ["dataset_id": $0, "name": AuthFixtures.uniqueName("pp"), "steps": []] }, theirDataset),
            ("/api/v1/training/start", "/strategy_id", { ["strategy_id": $0, "dataset_id": dataset, "config": [:]] }, theirStrategy),
            ("/api/v1/training/start", "/dataset_id", { ["strategy_id": strategy, "dataset_id": $0, "config": [:]] }, theirDataset),
            ("/api/v1/analysis/market-dynamics", "/dataset_id", { labelling.merging(["dataset_id": $0]) { $1 } }, theirDataset),
        ]
        for item in cases {
            let own = item.pointer == "/strategy_id" ? strategy : item.pointer == "/run_ids/1" ? run : dataset
            let mine = try sx.client.send("POST", item.route, headers: caller, json: item.body(own))
            #expect(mine.status != 404, "\(item.route) \(item.pointer) with the caller's own id: \(mine.text)")
            for id in [item.theirs, unknown] {
                let answer = try sx.client.send("POST", item.route, headers: caller, json: item.body(id))
                #expect(answer.status == 404, "\(item.route) \(item.pointer) = \(id): \(answer.status) \(answer.text)")
                #expect(StrategyFixtures.pointers(answer) == [item.pointer], "\(item.route): \(answer.text)")
                #expect(answer.header("content-type") == "application/problem+json")
            }
        }
        // Channels name ids too: another user's run is a 404, as an unknown one.
        for id in [theirRun, unknown] {
            let tickets = try sx.client.send("POST", "/api/v1/realtime/tickets", headers: caller, json: ["channels": ["run:\(id)"]])
            #expect(tickets.status == 404, "\(tickets.text)")
        }
    }
}
