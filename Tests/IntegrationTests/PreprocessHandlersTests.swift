import Foundation
import Quant
import TestSupport
import Testing

/// `POST /api/v1/data/preprocess` through nginx: values equal the Quant functions' on the same data.
@Suite(.serialized) struct PreprocessHandlersTests {
    let fx: AuthFixtures

    init() throws {
        fx = try AuthFixtures()
    }

    func upload(_ auth: [String: String], _ name: String, _ text: String) throws -> Int {
        try StrategyFixtures(fx).upload(auth, text: text, symbol: "ABC", name: name)
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
        let response = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "with indicators",
                "steps": [
                    [
                        "op": "indicators",
                        "indicators": [
                            ["name": "sma", "window": 20], ["name": "rsi", "window": 14],
                            ["name": "macd"], ["name": "bollinger", "window": 20, "k": 2],
                        ],
                    ]
                ],
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

    /// Issue 20's request: an SMA longer than the data, `drop` (no row left), then
    /// TradeMaster's features on the empty frame trapped and killed the worker (502). Now a
    /// 4xx problem, and the one worker of a private pool is the same process afterwards.
    @Test func aPreprocessThatEmptiesTheDataIsRefusedWithoutKillingTheWorker() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let id = try upload(auth, "ten-rows", DataFixtures.wideDaily(count: 10, seed: 3).text)
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 2)
        defer { pool.stop() }
        let client = pool.client()
        _ = try client.send("GET", "/health")
        let workers = pool.workerPIDs()
        try #require(workers.count == 1)
        let response = try client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "emptied",
                "steps": [
                    ["op": "indicators", "indicators": [["name": "sma", "window": 1000]]],
                    ["op": "fill_missing", "method": "drop"],
                    ["op": "trademaster_features"],
                ],
            ] as [String: Any])
        #expect((400..<500).contains(response.status), "\(response.status) \(response.text)")
        #expect(response.header("content-type") == "application/problem+json", "\(response.text)")
        #expect(try client.send("GET", "/health").status == 200)
        #expect(pool.workerPIDs() == workers, "the worker that served the request is still the same process")
    }

    /// 20 steps of 20 MACDs each add 1,200 columns: over 50,000 rows that is 60 million
    /// values, past `TM_PREPROCESS_MAX_CELLS` (50 million): refused at `/steps` before any
    /// work, and no dataset is made.
    @Test func aPreprocessPastTheMemoryBudgetIsRefusedBeforeAnyWork() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let id = try upload(auth, "fifty-thousand", DataFixtures.wideDaily(count: 50_000, seed: 5).text)
        let steps: [[String: Any]] = (0..<20).map { s in
            [
                "op": "indicators",
                "indicators": (0..<20).map { k in ["name": "macd", "fast": 1 + s * 20 + k, "slow": 999, "signal": 9] as [String: Any] },
            ]
        }
        let before = try fx.client.send("GET", "/api/v1/data/datasets?limit=1", headers: auth).json["total"] as? Int
        let response = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth, json: ["dataset_id": id, "name": "too-wide", "steps": steps] as [String: Any])
        #expect(response.status == 422, "\(response.text.prefix(300))")
        let error = (response.json["errors"] as? [[String: Any]])?.first
        #expect(error?["pointer"] as? String == "/steps")
        #expect((error?["detail"] as? String)?.contains("TM_PREPROCESS_MAX_CELLS") == true, "\(response.text.prefix(300))")
        #expect(try fx.client.send("GET", "/api/v1/data/datasets?limit=1", headers: auth).json["total"] as? Int == before)
        // The same steps on a few rows are within the budget.
        let small = try upload(auth, "few-rows", DataFixtures.wideDaily(count: 40, seed: 6).text)
        let fine = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth, json: ["dataset_id": small, "name": "wide-but-short", "steps": steps] as [String: Any])
        #expect(fine.status == 201, "\(fine.text.prefix(300))")
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
        let response = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "hourly",
                "steps": [["op": "resample", "to": "1h"], ["op": "indicators", "indicators": [["name": "ema", "window": 3]]]],
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

        let bad = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "bad",
                "steps": [["op": "indicators", "indicators": [["name": "vwap"]]], ["op": "resample", "to": "7min"], ["op": "smooth"]],
            ] as [String: Any])
        #expect(bad.status == 422)
        let pointers = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
        #expect(pointers == ["/steps/0/indicators/0/name", "/steps/1", "/steps/1/to", "/steps/2/op"], "\(pointers)")
        let other = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let foreign = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: other,
            json: [
                "dataset_id": id, "name": "theirs", "steps": [["op": "resample", "to": "1h"]],
            ] as [String: Any])
        #expect(foreign.status == 404 && foreign.text.contains("/dataset_id"), "another user's dataset is a 404, as in a path")
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name IN ('bad', 'theirs')") == "0")
    }

    /// Column of `name` in the export (nil for an empty field).
    static func column(_ rows: [DataFixtures.Bar], _ name: String) -> [Double?] { rows.map { $0.values[name] ?? nil } }

    @Test func cleaningFeaturesFillingNormalizingAndSplittingEqualQuants() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, _) = DataFixtures.wideDaily(count: 200, seed: 5)
        let id = try upload(auth, "source", text)
        let response = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "clean features",
                "steps": [
                    ["op": "clip_outliers", "z": 2],
                    ["op": "trademaster_features"],
                    ["op": "indicators", "indicators": [["name": "sma", "window": 10]]],
                    ["op": "fill_missing", "method": "bfill", "columns": ["sma_10"]],
                    ["op": "split", "train": 0.6, "valid": 0.2, "test": 0.2],
                    ["op": "normalize", "method": "zscore", "columns": ["sma_10", "close"]],
                    ["op": "normalize", "method": "minmax", "columns": ["zd_5"], "train": 0.5],
                ],
            ] as [String: Any])
        #expect(response.status == 201, "\(response.text)")
        let derived = try #require(response.json["id"] as? Int)
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(derived)/bars?format=csv", headers: auth)
        let rows = DataFixtures.parse(csv.text, symbol: "ABC")

        // The same chain with the Quant functions.
        let source = try OHLCVCSVReader.parse(text)
        let n = source.count
        let clipped = try Preprocessing.clipOutliers(try Metrics.simpleReturns(source.close), zThreshold: 2)
        var close = source.close
        for i in 1..<n { close[i] = close[i - 1] * (1 + clipped[i - 1]) }
        #expect(rows.map { $0.values["close"]!! } == close)
        let scale = (0..<n).map { close[$0] / source.close[$0] }
        let series = try OHLCVSeries(
            timestamps: source.timestamps, open: (0..<n).map { source.open[$0] * scale[$0] },
            high: (0..<n).map { source.high[$0] * scale[$0] }, low: (0..<n).map { source.low[$0] * scale[$0] },
            close: close, volume: source.volume)
        let features = TradeMasterFeatures(series: series)
        #expect(Self.same(Self.column(rows, "zopen"), features.zopen))
        #expect(Self.same(Self.column(rows, "zclose"), features.zclose))
        #expect(Self.same(Self.column(rows, "zd_30"), features.zd[30]!))
        let sma = try Indicators.sma(close, window: 10)
        let filled = Array(try Preprocessing.forwardFill(sma.reversed()).reversed())
        #expect(!filled.contains { $0.isNaN })
        let split = try DataSplit(count: n, train: 0.6, validation: 0.2)
        #expect(Self.column(rows, "split") == (0..<n).map { Optional(Double(split.train.contains($0) ? 0 : split.validation.contains($0) ? 1 : 2)) })
        let smaScaler = try Normalizer(fitting: Array(filled[split.train]), method: .zScore)
        #expect(Self.same(Self.column(rows, "sma_10"), smaScaler.transform(filled)))
        let closeScaler = try Normalizer(fitting: Array(close[split.train]), method: .zScore)
        #expect(Self.same(Self.column(rows, "close_zscore"), closeScaler.transform(close)))
        let zd5 = features.zd[5]!
        let zdScaler = try Normalizer(fitting: zd5[0..<(n / 2)].filter { $0.isFinite }, method: .minMax)
        #expect(Self.same(Self.column(rows, "zd_5"), zdScaler.transform(zd5)))
    }

    @Test func fillMissingDropsAndInterpolates() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, dates) = DataFixtures.wideDaily(count: 60, seed: 9)
        let id = try upload(auth, "source", text)
        let dropped = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "dropped",
                "steps": [["op": "indicators", "indicators": [["name": "sma", "window": 5]]], ["op": "fill_missing", "method": "drop"]],
            ] as [String: Any])
        #expect(dropped.status == 201, "\(dropped.text)")
        let summary = try #require(dropped.json["summary"] as? [String: Any])
        #expect(summary["row_count"] as? Int == 56)
        #expect(summary["first"] as? String == dates[4] + "T00:00:00Z")
        let interpolated = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "interpolated",
                "steps": [["op": "indicators", "indicators": [["name": "sma", "window": 5]]], ["op": "fill_missing", "method": "interpolate"]],
            ] as [String: Any])
        #expect(interpolated.status == 201, "\(interpolated.text)")
        // Leading warm-up values have no left neighbour: they stay missing.
        let columns = try #require((interpolated.json["summary"] as? [String: Any])?["columns"] as? [[String: Any]])
        #expect(columns.first { $0["name"] as? String == "sma_5" }?["nulls"] as? Int == 4)
    }

    @Test func newStepsAreCheckedBeforeAnyWork() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let tag = UUID().uuidString.prefix(8)
        let id = try upload(auth, "source", DataFixtures.wideDaily(count: 30).text)
        let bad = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "bad-\(tag)",
                "steps": [
                    ["op": "fill_missing", "method": "mean"],
                    ["op": "normalize", "method": "zscore", "columns": ["nope"]],
                    ["op": "split", "train": 0.5, "valid": 0.2, "test": 0.5],
                    ["op": "clip_outliers", "z": 3],
                    ["op": "normalize", "method": "robust", "train": 2],
                ],
            ] as [String: Any])
        #expect(bad.status == 422)
        let pointers = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
        #expect(
            pointers == ["/steps/0/method", "/steps/1/columns/0", "/steps/2/test", "/steps/3", "/steps/4/method", "/steps/4/train"], "\(pointers)")
        let tooShort = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "short-\(tag)",
                "steps": [
                    ["op": "indicators", "indicators": [["name": "sma", "window": 500]]],
                    ["op": "normalize", "method": "zscore"],
                ],
            ] as [String: Any])
        // A 500-bar average of 30 bars has no values: nothing to fit the scaling on.
        #expect(tooShort.status == 422, "\(tooShort.text)")
        #expect((tooShort.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/steps/1")
        #expect(try DataFixtures.sql(fx.stack, "SELECT count(*) FROM datasets WHERE name IN ('bad-\(tag)', 'short-\(tag)')") == "0")
    }

    @Test func aSourceAboveTheSyncLimitBecomesAJob() throws {
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 2, environment: ["TM_SYNC_MAX_ROWS": "20"])
        defer { pool.stop() }
        let worker = try TestWorker(stack: fx.stack, concurrency: 1, environment: ["TM_JOB_LEASE_SECONDS": "5", "TM_WORKER_SHUTDOWN_TIMEOUT": "1"])
        defer { worker.stop() }
        try worker.waitUntilListening()
        let client = pool.client()
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, _) = DataFixtures.wideDaily(count: 40, seed: 2)
        let uploaded = try client.send(
            "POST", "/api/v1/data/upload?name=big&symbol=ABC", headers: auth.merging(["Content-Type": "text/csv"]) { $1 },
            body: Array(text.utf8))
        let id = try #require(uploaded.json["id"] as? Int)
        let small = try client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "weekly", "steps": [["op": "resample", "to": "1d"]],
            ] as [String: Any])
        #expect(small.status == 202, "\(small.text)")
        let location = try #require(small.header("location"))
        #expect(location.hasPrefix("/api/v1/jobs/"))
        #expect(small.json["kind"] as? String == "data.preprocess")
        let deadline = Date().addingTimeInterval(30)
        var job: [String: Any] = [:]
        while Date() < deadline {
            job = try client.send("GET", location, headers: auth).json
            if ["succeeded", "failed", "cancelled"].contains(job["status"] as? String ?? "") { break }
            usleep(50_000)
        }
        #expect(job["status"] as? String == "succeeded", "\(job)")
        let derived = try #require((job["result"] as? [String: Any])?["dataset_id"] as? Int)
        let dataset = try client.send("GET", "/api/v1/data/datasets/\(derived)", headers: auth)
        #expect(dataset.json["parent_id"] as? Int == id)
        #expect((dataset.json["summary"] as? [String: Any])?["row_count"] as? Int == 40)
    }

    @Test func resamplingAlignsDaysOnTheDatasetsTimeZone() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        var lines = ["date,open,high,low,close,volume"]
        var random = DataFixtures.Generator(state: 21)
        var t: Int64 = 1_704_171_600  // 2024-01-02T05:00:00Z, 14:00 in Tokyo
        var price = 50.0
        for _ in 0..<120 {
            let close = price * (1 + (random.next() - 0.5) * 0.01)
            lines.append("\(t),\(price),\(max(price, close) + 0.01),\(min(price, close) - 0.01),\(close),\(Int(random.next() * 100))")
            price = close
            t += 3600
        }
        let text = lines.joined(separator: "\n") + "\n"
        let uploaded = try fx.client.send(
            "POST", "/api/v1/data/upload?name=tokyo-\(UUID().uuidString.prefix(6))&symbol=ABC&timezone=Asia/Tokyo",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        let id = try #require(uploaded.json["id"] as? Int)
        let response = try fx.client.send(
            "POST", "/api/v1/data/preprocess", headers: auth,
            json: [
                "dataset_id": id, "name": "tokyo days", "steps": [["op": "resample", "to": "1d"]],
            ] as [String: Any])
        #expect(response.status == 201, "\(response.text)")
        let derived = try #require(response.json["id"] as? Int)
        #expect(response.json["timezone"] as? String == "Asia/Tokyo")
        // Quant's resample on Tokyo wall-clock times (UTC+9, no daylight saving), shifted back.
        var local = try OHLCVCSVReader.parse(text)
        local.timestamps = local.timestamps.map { $0 + 9 * 3600 }
        let expected = try Preprocessing.resample(local, seconds: 86_400)
        let bars = try fx.client.send("GET", "/api/v1/data/datasets/\(derived)/bars?max_points=1000", headers: auth)
        let format = ISO8601DateFormatter()
        #expect(
            bars.json["time"] as? [String]
                == expected.timestamps.map { format.string(from: Date(timeIntervalSince1970: TimeInterval($0 - 9 * 3600))) })
        #expect((bars.json["time"] as? [String])?.first == "2024-01-01T15:00:00Z", "the Tokyo day of 2024-01-02 starts at 15:00 UTC the day before")
        let csv = try fx.client.send("GET", "/api/v1/data/datasets/\(derived)/bars?format=csv", headers: auth)
        #expect(DataFixtures.parse(csv.text, symbol: "ABC").map { $0.values["close"]!! } == expected.close)
    }
}
