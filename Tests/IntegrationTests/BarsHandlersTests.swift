import Foundation
import TestSupport
import Testing

/// `GET /api/v1/data/datasets/:id/bars` through nginx: ranges, buckets, formats.
@Suite(.serialized) struct BarsHandlersTests {
    let fx: AuthFixtures

    init() throws {
        fx = try AuthFixtures()
    }

    @Test func bucketsAggregateOpenHighLowCloseAndVolume() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "analyst")).bearer
        let owner = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, _) = DataFixtures.wideDaily(count: 100, seed: 9)
        let created = try fx.client.send(
            "POST", "/api/v1/data/upload?name=buckets&symbol=QQQ",
            headers: owner.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? Int)
        // An analyst reads only their own datasets.
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars", headers: auth).status == 404)

        let rows = DataFixtures.parse(text, symbol: "QQQ")
        let full = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars", headers: owner)
        #expect(full.status == 200)
        #expect((full.json["close"] as? [Double]) == rows.map { $0.values["close"]!! })
        #expect(full.json["bucketed"] as? Bool == false)
        let bucketed = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?max_points=10", headers: owner)
        #expect(bucketed.status == 200)
        let open = try #require(bucketed.json["open"] as? [Double])
        let high = try #require(bucketed.json["high"] as? [Double])
        let low = try #require(bucketed.json["low"] as? [Double])
        let close = try #require(bucketed.json["close"] as? [Double])
        let volume = try #require(bucketed.json["volume"] as? [Double])
        #expect(open.count == 10 && bucketed.json["source_rows"] as? Int == 100 && bucketed.json["bucketed"] as? Bool == true)
        for k in 0..<10 {
            let bucket = rows[(k * 10)..<(k * 10 + 10)]
            #expect(open[k] == bucket.first!.values["open"]!!)
            #expect(close[k] == bucket.last!.values["close"]!!)
            #expect(high[k] == bucket.map { $0.values["high"]!! }.max()!)
            #expect(low[k] == bucket.map { $0.values["low"]!! }.min()!)
            #expect(abs(volume[k] - bucket.map { $0.values["volume"]!! }.reduce(0, +)) < 1e-9)
        }
        let ranged = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?start=\(rows[10].date)&end=\(rows[20].date)", headers: owner)
        #expect((ranged.json["time"] as? [String])?.count == 10)
        #expect((ranged.json["time"] as? [String])?.first == rows[10].date + "T00:00:00Z")
        let rangedCSV = try fx.client.send(
            "GET", "/api/v1/data/datasets/\(id)/bars?format=csv&start=\(rows[10].date)T00:00:00Z&end=\(rows[20].date)",
            headers: owner)
        #expect(DataFixtures.parse(rangedCSV.text, symbol: "QQQ") == Array(rows[10..<20]))
        for bad in ["max_points=0", "format=xml", "start=yesterday", "symbol=NOPE"] {
            let response = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?\(bad)", headers: owner)
            #expect(response.status == 422, "\(bad): \(response.text)")
        }
    }

    @Test func aLongDatasetNeedsASymbolForJSON() throws {
        let owner = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let text = DataFixtures.longTradeMaster(symbols: ["AAA", "BBB"], days: 5)
        let created = try fx.client.send(
            "POST", "/api/v1/data/upload?name=long2", headers: owner.merging(["Content-Type": "text/csv"]) { $1 },
            body: Array(text.utf8))
        let id = try #require(created.json["id"] as? Int)
        #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars", headers: owner).status == 422)
        let bbb = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/bars?symbol=BBB", headers: owner)
        #expect(bbb.status == 200 && bbb.json["symbol"] as? String == "BBB")
        #expect((bbb.json["close"] as? [Double]) == DataFixtures.parse(text).filter { $0.symbol == "BBB" }.map { $0.values["close"]!! })
    }

    @Test func theCSVExportIsStreamedWithoutHoldingTheDataset() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        var text = "date,open,high,low,close,volume\n"
        text.reserveCapacity(20 << 20)
        var t = 1_600_000_000
        let rows = 400_000
        for i in 0..<rows {
            text += "\(t),100.\(i % 1000),101.5,99.25,100.5,\(i)\n"
            t += 60
        }
        try #require(fx.nginx).timeout = 300
        let uploaded = try fx.client.send(
            "POST", "/api/v1/data/upload?name=export-\(UUID().uuidString.prefix(8))&symbol=EXP",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        #expect(uploaded.status == 201, "\(uploaded.text.prefix(300))")
        let id = try #require(uploaded.json["id"] as? Int)
        // One worker, so the measured process is the one that serves the export.
        let pool = try PrivatePool(stack: fx.stack, workers: 1, threads: 2)
        defer { pool.stop() }
        let worker = try #require(pool.workerPIDs().first)
        let client = pool.client()
        client.timeout = 300
        _ = try client.send("GET", "/health")
        // The worker's start-up set a peak above what an export adds: measure from its RSS now.
        let before = try ProcessTable.resetPeakMemory(worker)
        let csv = try client.send("GET", "/api/v1/data/datasets/\(id)/bars?format=csv", headers: auth)
        #expect(pool.workerPIDs() == [worker], "the measured worker is the one that served the export")
        let after = try #require(ProcessTable.memoryKilobytes(worker, field: "VmHWM"))
        #expect(csv.status == 200 && csv.header("content-type") == "text/csv; charset=utf-8")
        #expect(csv.header("content-length") == nil, "streamed, so no length up front")
        let lines = csv.body.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        #expect(lines == rows + 1)
        print("CSV export of \(rows) rows, \(csv.body.count) bytes: worker peak RSS +\(after - before) KiB")
        // Buffered, the export text and its bytes alone would be about 2 × \(csv.body.count >> 20) MiB.
        #expect(after - before <= 16 * 1024, "peak RSS grew from \(before) to \(after) KiB")
    }
}
