import Foundation
import Quant
import Testing
import TestSupport

/// `POST /api/v1/data/preprocess` through nginx: values equal the Quant functions' on the same data.
@Suite(.serialized) struct PreprocessHandlersTests {
    let fx: AuthFixtures

    init() throws {
        fx = try AuthFixtures()
    }

    func upload(_ auth: [String: String], _ name: String, _ text: String) throws -> Int {
        let response = try fx.client.send("POST", "/api/v1/data/upload?name=\(name)&symbol=ABC",
                                          headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        #expect(response.status == 201, "\(response.text)")
        return response.json["id"] as? Int ?? 0
    }

    /// Equal value for value (the server runs the same functions on the same doubles); an
    /// empty field stands for NaN (a warm-up value).
    static func same(_ a: [Double?], _ b: [Double]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x.map { $0 == y } ?? y.isNaN }
    }

    @Test func indicatorsEqualQuantsOnTheSameData() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, _) = DataFixtures.wideDaily(count: 250, seed: 11)
        let id = try upload(auth, "source", text)
        let response = try fx.client.send("POST", "/api/v1/data/preprocess", headers: auth, json: [
            "dataset_id": id, "name": "with indicators",
            "steps": [["op": "indicators", "indicators": [["name": "sma", "window": 20], ["name": "rsi", "window": 14],
                                                            ["name": "macd"], ["name": "bollinger", "window": 20, "k": 2]]]],
        ] as [String: Any])
        #expect(response.status == 201, "\(response.text)")
        #expect(response.json["parent_id"] as? Int == id)
        let derived = try #require(response.json["id"] as? Int)
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(derived)/bars?format=csv", headers: auth)
        let rows = DataFixtures.parse(csv.text, symbol: "ABC")
        let source = DataFixtures.parse(text, symbol: "ABC")
        #expect(rows.map(\.date) == source.map(\.date))
        let closes = source.map { $0.values["close"]!! }
        #expect(rows.map { $0.values["close"]!! } == closes)
        #expect(Self.same(rows.map { $0.values["sma_20"] ?? nil }, try Indicators.sma(closes, window: 20)))
        #expect(Self.same(rows.map { $0.values["rsi_14"] ?? nil }, try Indicators.rsi(closes, window: 14)))
        let macd = try Indicators.macd(closes)
        #expect(Self.same(rows.map { $0.values["macd_hist_12_26_9"] ?? nil }, macd.histogram))
        let bands = try Indicators.bollinger(closes, window: 20, k: 2)
        #expect(Self.same(rows.map { $0.values["bb_upper_20"] ?? nil }, bands.upper))
    }

    @Test func resamplingEqualsQuantsAndStepsAreCheckedFirst() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        var lines = ["date,open,high,low,close,volume"]
        var random = DataFixtures.Generator(state: 3)
        var t: Int64 = 1_700_000_000 - 1_700_000_000 % 3600
        var price = 100.0
        for _ in 0..<600 {
            let close = price * (1 + (random.next() - 0.5) * 0.002)
            lines.append("\(t),\(price),\(max(price, close) + 0.01),\(min(price, close) - 0.01),\(close),\(Int(random.next() * 100))")
            price = close
            t += 60
        }
        let text = lines.joined(separator: "\n") + "\n"
        let id = try upload(auth, "minutes", text)
        let response = try fx.client.send("POST", "/api/v1/data/preprocess", headers: auth, json: [
            "dataset_id": id, "name": "hourly", "steps": [["op": "resample", "to": "1h"], ["op": "indicators", "indicators": [["name": "ema", "window": 3]]]],
        ] as [String: Any])
        #expect(response.status == 201, "\(response.text)")
        #expect((response.json["summary"] as? [String: Any])?["interval"] as? String == "1h")
        let derived = try #require(response.json["id"] as? Int)
        // Compared through the CSV export: Foundation's JSONSerialization on Linux may parse a
        // 17-digit number one ulp off, Double(String) does not.
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(derived)/bars?format=csv", headers: auth)
        let rows = DataFixtures.parse(csv.text, symbol: "ABC")
        let expected = try Preprocessing.resample(try OHLCVCSVReader.parse(text), seconds: 3600)
        #expect(rows.map { $0.values["close"]!! } == expected.close)
        #expect(rows.map { $0.values["high"]!! } == expected.high)
        #expect(rows.map { $0.values["low"]!! } == expected.low)
        #expect(rows.map { $0.values["volume"]!! } == expected.volume)
        #expect(Self.same(rows.map { $0.values["ema_3"] ?? nil }, try Indicators.ema(expected.close, window: 3)))

        let bad = try fx.client.send("POST", "/api/v1/data/preprocess", headers: auth, json: [
            "dataset_id": id, "name": "bad",
            "steps": [["op": "indicators", "indicators": [["name": "vwap"]]], ["op": "resample", "to": "7min"], ["op": "smooth"]],
        ] as [String: Any])
        #expect(bad.status == 422)
        let pointers = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
        #expect(pointers == ["/steps/0/indicators/0/name", "/steps/1", "/steps/1/to", "/steps/2/op"], "\(pointers)")
        let other = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let foreign = try fx.client.send("POST", "/api/v1/data/preprocess", headers: other, json: [
            "dataset_id": id, "name": "theirs", "steps": [["op": "resample", "to": "1h"]],
        ] as [String: Any])
        #expect(foreign.status == 422 && foreign.text.contains("/dataset_id"))
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name IN ('bad', 'theirs')") == "0")
    }
}
