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

    /// Market dynamics as the real service does it: without the nine labelling parameters it
    /// fails (`int(None)`); with its own defaults from `evaluation_getParameters` it labels,
    /// with a PNG visualisation and the analysis as a base64 CSV; a dynamics test of that
    /// labelling-only session starts a script that exits with argparse's usage error (no
    /// Traceback) and never sets its end flag.
    @Test func marketDynamicsWithTheServicesDefaults() throws {
        let request: [String: Any] = [
            "dataset_name": "algorithmic_trading:BTC", "startDate": "2020-01-01", "endDate": "2021-01-01",
            "number_of_market_style": 3, "labeling_method": "quantile",
        ]
        do {
            _ = try client.startMarketDynamicsLabeling(request)
            Issue.record("the labelling started without its parameters")
        } catch {
            print("REAL labelling without defaults: \(error)")
            #expect(error.description.contains("int() argument must be"), "\(error)")
        }
        let defaults = MarketDynamicsDefaults.values(for: "algorithmic_trading:BTC", from: try client.evaluationParameters(sessionID: nil))
        print("REAL defaults for BTC: \(defaults)")
        #expect(defaults["tic"] as? String == "data" && defaults["min_length_limit"] as? String == "24")
        let session = try client.startMarketDynamicsLabeling(request.merging(defaults) { $1 })
        var labelled = try poll("MDM_status", flag: "MDM_end", session: session, minutes: 5)
        // MDM_end comes from the log's last line, the images once the script wrote its config.
        var tries = 0
        while labelled.images["market_dynamic_labeling_visulization"] == nil, tries < 20 {
            tries += 1
            Thread.sleep(forTimeInterval: 1)
            labelled = try client.status("MDM_status", sessionID: session, flag: "MDM_end")
        }
        print("REAL MDM_end came \(tries) status answer(s) before its images")
        #expect(TradeMasterPoller.png(labelled.images["market_dynamic_labeling_visulization"]) != nil)
        #expect(TradeMasterPoller.png(labelled.images["market_dynamic_labeling_analysis"]) == nil)
        let csv = try #require(TradeMasterPoller.decoded(labelled.images["market_dynamic_labeling_analysis"]))
        let table = try #require(AnalysisTable(csv: String(decoding: csv, as: UTF8.self)))
        print("REAL analysis: \(table.columns) × \(table.rows.count) rows")
        #expect(table.columns.first == "index" && table.columns.contains("average_k_list_mean") && !table.rows.isEmpty)

        _ = try client.saveMarketDynamicsLabeling(sessionID: session)
        try client.runDynamicsTest(sessionID: session, label: "0")
        let deadline = Date().addingTimeInterval(180)
        var last: TradeMasterStatus?
        while Date() < deadline {
            let status = try client.status(
                "dynamics_testing_status", sessionID: session, flag: "dynamics_testing_end", extra: ["dynamics_test_label": "0"])
            last = status
            if TradeMasterLog(status.info).usageError != nil || status.ended { break }
            Thread.sleep(forTimeInterval: 2)
        }
        let log = TradeMasterLog(last?.info ?? "")
        print("REAL dynamics test of a labelling alone: ended \(last?.ended ?? false), usage error \(log.usageError ?? "none")")
        #expect(last?.ended == false && log.crash == nil)
        #expect(log.usageError?.contains("unrecognized arguments: --task_name dynamics_test --test_dynamic 0") == true, "\(log.tail(10))")
    }
}
