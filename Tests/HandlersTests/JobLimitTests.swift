import Foundation
import TestSupport
import Testing

/// `TM_MAX_JOBS_PER_USER` in-process (5 here, no worker: every queued run stays queued):
/// parallel executes never take a user past the limit, the rest are 429 problems, and
/// another user is not affected.
@Suite(.inProcess("joblimit", overrides: ["TM_MAX_JOBS_PER_USER": "5"]), .serialized) struct JobLimitTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    @Test func parallelExecutesStopAtTheLimit() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try #require(try sx.createStrategy(auth, parameters: ["fast": 10, "slow": 30])["id"] as? Int)
        let statuses = LockedArray()
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let response = try? sx.client.send(
                "POST", "/api/v1/strategies/\(strategy)/execute", headers: auth,
                json: ["dataset_id": dataset, "symbol": "AAA", "mode": "backtest"])
            statuses.append(response?.status ?? -1)
        }
        #expect(statuses.values.sorted() == Array(repeating: 202, count: 5) + Array(repeating: 429, count: 7), "\(statuses.values)")
        let refused = try sx.client.send(
            "POST", "/api/v1/strategies/\(strategy)/execute", headers: auth,
            json: ["dataset_id": dataset, "symbol": "AAA", "mode": "backtest"])
        #expect(refused.status == 429 && refused.header("retry-after") == "10")
        #expect(refused.header("content-type") == "application/problem+json")
        #expect((refused.json["detail"] as? String)?.contains("TM_MAX_JOBS_PER_USER") == true, "\(refused.text)")
        let jobs = try sx.client.send("GET", "/api/v1/jobs?status=queued", headers: auth)
        #expect(jobs.json["total"] as? Int == 5)
        // Another user's queue is their own.
        let (_, other) = try sx.account()
        let otherDataset = try sx.uploadDaily(other)
        let otherStrategy = try #require(try sx.createStrategy(other, parameters: ["fast": 10, "slow": 30])["id"] as? Int)
        let theirs = try sx.client.send(
            "POST", "/api/v1/strategies/\(otherStrategy)/execute", headers: other,
            json: ["dataset_id": otherDataset, "symbol": "AAA", "mode": "backtest"])
        #expect(theirs.status == 202, "\(theirs.text)")
    }
}
