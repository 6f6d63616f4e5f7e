import Foundation
import Testing

@testable import Models
@testable import TradeMasterAPI

/// The client against the real TradeMaster service, run locally (shared/TRADEMASTER-API.md,
/// "Running it locally"): only with `TM_REAL_TRADEMASTER_URL` set (e.g.
/// `http://127.0.0.1:8080`), since the default run has no such service. A deepscalper run on
/// BTC takes a few minutes on two cores.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TM_REAL_TRADEMASTER_URL"] != nil))
struct RealTradeMasterTests {
    let client = TradeMasterClient(
        baseURL: ProcessInfo.processInfo.environment["TM_REAL_TRADEMASTER_URL"] ?? "http://127.0.0.1:8080",
        timeout: 30)

    /// Polls `route` until its flag, failing on a Traceback; the last answer.
    func poll(_ route: String, flag: String, session: String, minutes: Double) throws -> TradeMasterStatus {
        let deadline = Date().addingTimeInterval(minutes * 60)
        while true {
            let status = try client.status(route, sessionID: session, flag: flag)
            let log = TradeMasterLog(status.info)
            if let crash = log.crash {
                throw TradeMasterError.service(route: route, info: "crashed: \(crash)\n\(log.tail(30).joined(separator: "\n"))")
            }
            if status.ended { return status }
            if Date() > deadline { throw TradeMasterError.service(route: route, info: "no end after \(minutes) min: \(log.tail(20))") }
            Thread.sleep(forTimeInterval: 2)
        }
    }

    @Test func deepscalperTrainsAndTestsOnBTC() throws {
        #expect(try client.healthcheck())
        let parameters = try client.parameters()
        #expect((parameters["agent_name"] as? [String])?.contains("algorithmic_trading:deepscalper") == true)
        // error_code 1 comes back as HTTP 200 with the service's info.
        #expect(throws: TradeMasterError.self) { _ = try client.test(sessionID: "no-such-session") }
        let session = try client.train([
            "task_name": "algorithmic_trading", "dataset_name": "algorithmic_trading:BTC",
            "optimizer_name": "adam", "loss_name": "mse", "agent_name": "algorithmic_trading:deepscalper",
        ])
        let trained = try poll("train_status", flag: "train_end", session: session, minutes: 15)
        let log = TradeMasterLog(trained.info)
        print(
            "REAL train: last Train Episode \(String(describing: log.trainEpisode)), Valid \(String(describing: log.validEpisode)), \(log.tables.count) tables"
        )
        #expect(log.trainEpisode != nil)
        try client.test(sessionID: session)
        let tested = try poll("test_status", flag: "test_end", session: session, minutes: 5)
        let table = try #require(TradeMasterLog(tested.info).lastTable, "\(tested.info.suffix(2000))")
        print("REAL test metrics: \(table)")
        #expect(table["total_return"] != nil && table["sharpe"] != nil && table["max_drawdown"] != nil)
        #expect(TradeMasterPoller.png(tested.images["result_plot"]) != nil)
    }
}
