import Support
import Testing

@testable import TradeMasterAPI

/// The market-dynamics analysis CSV of the service, and the labelling defaults.
struct AnalysisTableTests {
    /// The head of the CSV the real service returned for BTC 2020 (3 styles, quantile).
    static let real = """
        ,average_k_list_mean,average_k_list_std,average_length_list_mean
        0,-0.007253120401615052,0.005757447703573328,40.333333333333336
        1,0.00849221284703039,0.002415304855549149,34.666666666666664
        2,0.014269018457717613,0.0007678821966631989,69.0

        """

    @Test func theServicesCSVBecomesRowsWithItsNumbersExact() throws {
        let table = try #require(AnalysisTable(csv: Self.real))
        #expect(table.columns == ["index", "average_k_list_mean", "average_k_list_std", "average_length_list_mean"])
        #expect(table.rows.count == 3)
        guard case .array(let rows) = table.json else {
            Issue.record("not an array")
            return
        }
        #expect(rows[0]["index"] == .integer(0))
        // Swift's shortest round-trip parse of the printed repr is the double Python printed.
        #expect(rows[0]["average_k_list_mean"] == .number(-0.007253120401615052))
        #expect(rows[2]["average_length_list_mean"] == .number(69.0))
    }

    @Test func edgeCases() throws {
        #expect(AnalysisTable(csv: "") == nil)
        #expect(AnalysisTable(csv: "\n\n") == nil)
        // A row longer than the header is not a table.
        #expect(AnalysisTable(csv: "a,b\n1,2,3\n") == nil)
        let header = try #require(AnalysisTable(csv: "a,b"))
        #expect(header.rows.isEmpty && header.json == .array([]))
        let quoted = try #require(AnalysisTable(csv: "name,\"x, y\"\r\n\"he said \"\"hi\"\"\",nan\r\nz,1e-300\r\nw,1e300\r\nv,inf\r\n"))
        #expect(quoted.columns == ["name", "x, y"])
        guard case .array(let rows) = quoted.json else {
            Issue.record("not an array")
            return
        }
        #expect(rows[0]["name"] == .string("he said \"hi\"") && rows[0]["x, y"] == .null)
        #expect(rows[1]["x, y"] == .number(1e-300) && rows[2]["x, y"] == .number(1e300) && rows[3]["x, y"] == .null)
        let tooWide = Array(repeating: "c", count: AnalysisTable.limit + 1).joined(separator: ",")
        #expect(AnalysisTable(csv: tooWide) == nil)
    }

    @Test func theDefaultsAreTheServicesForTheDatasetElseItsCustomOnes() {
        let answer: [String: Any] = [
            "min_length_limit": ["algorithmic_trading:BTC": "24", "market_dynamics_modeling:second_level_BTC_LOB": "60"],
            "tic": ["algorithmic_trading:BTC": "data"], "merging_dynamic_constraint": ["algorithmic_trading:BTC": 1],
            "merging_threshold": "not per dataset",
        ]
        let btc = MarketDynamicsDefaults.values(for: "algorithmic_trading:BTC", from: answer)
        #expect(Set(btc.keys) == Set(MarketDynamicsDefaults.keys))
        #expect(btc["min_length_limit"] as? String == "24" && btc["tic"] as? String == "data" && btc["merging_dynamic_constraint"] as? Int == 1)
        #expect(btc["merging_threshold"] as? String == "0.03")
        let lob = MarketDynamicsDefaults.values(for: "market_dynamics_modeling:second_level_BTC_LOB", from: answer)
        #expect(lob["min_length_limit"] as? String == "60" && lob["tic"] as? String == "tic")
        #expect(MarketDynamicsDefaults.values(for: "x", from: [:]).count == 9)
    }
}
