import Foundation
import TestSupport
import Testing

/// Issue 20: a paper run's length is bounded before it starts and while it runs
/// (TM_PAPER_RUN_MAX_SECONDS, 60 s for this suite's app), and running paper runs count
/// towards TM_MAX_JOBS_PER_USER (1 here). In-process, with a real `tm worker`.
@Suite(.inProcess("paperlimit", overrides: ["TM_PAPER_RUN_MAX_SECONDS": "60", "TM_MAX_JOBS_PER_USER": "1"]), .serialized)
struct PaperRunLimitTests {
    let sx: StrategyFixtures

    init() throws {
        sx = StrategyFixtures(try InProcessApp.suite().fixtures)
    }

    @Test func aPaperRunLongerThanTheLimitIsRefusedAndOneRunningPastItIsStopped() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)  // 500 bars
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        func execute(_ pace: Double) throws -> TestResponse {
            try sx.client.send(
                "POST", "/api/v1/strategies/\(strategy)/execute", headers: auth,
                json: ["dataset_id": dataset, "symbol": "AAA", "mode": "paper", "bars_per_second": pace])
        }
        // 500 bars at 1 a second: 500 s, past the 60 s limit, refused before anything is queued.
        let long = try execute(1)
        #expect(long.status == 422, "\(long.text)")
        #expect(long.header("content-type") == "application/problem+json")
        #expect(StrategyFixtures.pointers(long) == ["/bars_per_second"])
        let detail = ((long.json["errors"] as? [[String: Any]])?.first?["detail"] as? String) ?? ""
        #expect(detail.contains("60 s") && detail.contains("TM_PAPER_RUN_MAX_SECONDS") && detail.contains("8.4"), "\(detail)")
        #expect(try sx.client.send("GET", "/api/v1/runs?mode=paper", headers: auth).json["total"] as? Int == 0)

        // 500 bars at 100 a second fit the plan (5 s), but this worker's own limit is 1 s: the
        // replay is stopped there, cancelled with what it had done.
        let worker = try sx.worker(["TM_PAPER_RUN_MAX_SECONDS": "1"])
        defer { worker.stop() }
        let accepted = try execute(100)
        #expect(accepted.status == 202, "\(accepted.text)")
        let run = try #require(accepted.json["id"] as? Int)
        try sx.poll(run: run, auth, seconds: 10) { $0["status"] as? String == "running" }
        // A running paper run is an unfinished job: with TM_MAX_JOBS_PER_USER 1, the next is a 429.
        let second = try execute(100)
        #expect(second.status == 429, "\(second.text)")
        #expect(second.header("content-type") == "application/problem+json" && second.header("retry-after") != nil)
        let ended = try sx.poll(run: run, auth, seconds: 15) { $0["status"] as? String != "running" && $0["status"] as? String != "queued" }
        #expect(ended["status"] as? String == "cancelled", "\(ended)")
        let message = ended["message"] as? String ?? ""
        #expect(message.contains("stopped at the paper-run limit of 1 s (TM_PAPER_RUN_MAX_SECONDS)"), "\(ended)")
        let done = ended["bars_processed"] as? Int ?? 0
        #expect(done > 0 && done < 500, "\(ended)")
    }
}
