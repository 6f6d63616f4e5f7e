import Foundation
import TestSupport
import Testing

/// `/api/v1/analysis/market-dynamics`: labelling → save → dynamics test → radar plot, run by
/// a real worker against the fake TradeMaster.
@Suite(.serialized) struct MarketDynamicsHandlersTests {
    let t: TrainingFixtures

    init() throws {
        t = try TrainingFixtures()
    }

    @Test func labellingThroughToTheRadarPlot() throws {
        let worker = try t.worker()
        defer { worker.stop() }
        let (_, auth) = try t.user()
        let base = "/api/v1/analysis/market-dynamics"
        let created = try t.client.send(
            "POST", base, headers: auth,
            json: [
                "dataset_name": "algorithmic_trading:BTC", "start_date": "2020-01-01", "end_date": "2021-01-01",
                "number_of_market_style": 3, "labeling_method": "quantile", "options": ["length_limit": 24],
            ])
        try #require(created.status == 202, "\(created.text)")
        let id = try #require(created.json["id"] as? Int)
        #expect(created.header("location") == "\(base)/\(id)")
        let labelled = try t.finished("\(base)/\(id)", auth)
        try #require(labelled["status"] as? String == "succeeded", "\(labelled["error"] ?? "")")
        #expect(labelled["step"] as? String == "labeling")
        for name in ["visualization", "analysis"] {
            let image = try t.client.send("GET", "\(base)/\(id)/images/\(name).png", headers: auth)
            #expect(image.status == 200 && image.header("content-type") == "image/png" && image.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        // The service wants the labelling saved first.
        #expect(try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 1]).status == 409)
        let saved = try t.client.send("POST", "\(base)/\(id)/save", headers: auth)
        #expect(saved.status == 200 && saved.json["saved_at"] is String, "\(saved.text)")
        #expect(try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 3]).status == 422)
        let test = try t.client.send("POST", "\(base)/\(id)/dynamics-test", headers: auth, json: ["label": 1])
        #expect(test.status == 202 && test.json["step"] as? String == "dynamics_test", "\(test.text)")
        let tested = try t.finished("\(base)/\(id)", auth)
        #expect(tested["status"] as? String == "succeeded", "\(tested["error"] ?? "")")
        let result = try #require(tested["result"] as? [String: Any])
        #expect(result["visualization"] as? String == "\(base)/\(id)/images/visualization.png")
        let radarURL = try #require(((result["dynamics_tests"] as? [String: Any])?["1"] as? [String: Any])?["radar_plot"] as? String)
        let radar = try t.client.send("GET", radarURL, headers: auth)
        #expect(radar.status == 200 && radar.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try t.client.send("GET", "\(base)/\(id)/images/radar_2.png", headers: auth).status == 404)

        let (_, bobAuth) = try t.user()
        #expect(try t.client.send("GET", "\(base)/\(id)", headers: bobAuth).status == 404)
        #expect(try t.client.send("GET", radarURL, headers: bobAuth).status == 404)
        // A market-dynamics analysis is not a training, and the other way round.
        #expect(try t.client.send("GET", "/api/v1/training/\(id)", headers: auth).status == 404)
        let bad = try t.client.send(
            "POST", base, headers: auth,
            json: [
                "dataset_name": "x", "start_date": "2021-01-01", "end_date": "2020-01-01", "number_of_market_style": 1, "labeling_method": "k",
            ])
        #expect(bad.status == 422)
        #expect(
            Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
                == ["/end_date", "/number_of_market_style", "/labeling_method"])
    }
}
