import Foundation
import Models
import PostgresClient
import TestSupport
import Testing

/// A strategy's status stays true when its runs end together (issue 26). Each ending run
/// asked "is another run live?" in a transaction of its own, and two ending together could
/// each see the other live: the strategy read `active` for good. Here the race is made
/// certain, not lucky: a trigger of this suite's database holds each ending's transaction
/// open 0.3 s after it updates the strategy, so the second ending always asks while the first
/// is still uncommitted.
@Suite(.inProcess("statusrace")) struct StrategyStatusRaceTests {
    let sx: StrategyFixtures
    let app: InProcessApp

    init() throws {
        app = try InProcessApp.suite()
        sx = StrategyFixtures(app.fixtures)
    }

    @Test func runsEndingTogetherLeaveTheStrategyStopped() throws {
        try sx.fx.sql(
            """
            CREATE OR REPLACE FUNCTION test_hold_strategy_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$;
            CREATE OR REPLACE TRIGGER test_hold AFTER UPDATE ON strategies FOR EACH ROW EXECUTE FUNCTION test_hold_strategy_update();
            """)
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let store = RunStore(database: Database(url: app.database.url))
        for round in 0..<3 {
            let id = try #require(try sx.createStrategy(auth, name: AuthFixtures.uniqueName("race"))["id"] as? Int)
            // No worker here: the runs stay queued until this test ends them.
            let runs = try (0..<3).map { _ in
                let run = try sx.client.send(
                    "POST", "/api/v1/strategies/\(id)/execute", headers: auth, json: ["dataset_id": dataset, "symbol": "AAA"])
                return Int64(try #require(run.json["id"] as? Int, "\(run.text)"))
            }
            #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["status"] as? String == "active")
            DispatchQueue.concurrentPerform(iterations: runs.count) { index in
                _ = try? store.finish(id: runs[index], RunStore.Ending(status: .cancelled, result: nil, symbol: "AAA", message: "ended by the test"))
            }
            let strategy = try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json
            #expect(strategy["status"] as? String == "stopped", "round \(round): \(strategy["status"] ?? "")")
        }
        try sx.fx.sql("DROP TRIGGER test_hold ON strategies")
    }

    /// A stop puts right a status left `active` with no live run, whatever left it so, and
    /// answers the runs it stopped (none).
    @Test func aStopSettlesAStrategyLeftActive() throws {
        let (_, auth) = try sx.account()
        let id = try #require(try sx.createStrategy(auth)["id"] as? Int)
        try sx.fx.sql("UPDATE strategies SET status = 'active' WHERE id = \(id)")
        let stop = try sx.client.send("POST", "/api/v1/strategies/\(id)/stop", headers: auth)
        #expect(stop.status == 200 && (stop.json["items"] as? [Any])?.isEmpty == true, "\(stop.text)")
        #expect(try sx.client.send("GET", "/api/v1/strategies/\(id)", headers: auth).json["status"] as? String == "stopped")
    }
}
