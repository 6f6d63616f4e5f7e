import Foundation
import TestSupport
import Testing

/// `chart.svg` through nginx, rendered in headless Chromium.
@Suite(.serialized) struct ChartHandlersTests {
    let fx: AuthFixtures
    let scratch: String

    init() throws {
        fx = try AuthFixtures()
        scratch = NSTemporaryDirectory() + "tm-chart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// Width, height and distinct sampled rows of a PNG.
    func inspect(_ png: String) throws -> (width: Int, height: Int, rows: Int) { try PNGInspection.inspect(png) }

    @Test func theChartRendersInChromiumWithAtMostAThousandBuckets() throws {
        let auth = try fx.login(try fx.createWithCLI(role: "user")).bearer
        let (text, _) = DataFixtures.wideDaily(count: 3000, seed: 5)
        let created = try fx.client.send(
            "POST", "/api/v1/data/upload?name=chart&symbol=SPX",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(text.utf8))
        let id = try #require(created.json["id"] as? Int)
        let response = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/chart.svg?width=960&height=540", headers: auth)
        #expect(response.status == 200)
        #expect(response.header("content-type") == "image/svg+xml")
        let svg = response.text
        // One volume bar per bucket: a closed sub-path each.
        let volumePath = try #require(svg.split(separator: "\n").first { $0.contains("fill=\"#8fa8c8\"") })
        let buckets = volumePath.filter { $0 == "z" }.count
        #expect(buckets > 100 && buckets <= 1000, "\(buckets) buckets")
        #expect(svg.contains(">2020-01-01<") || svg.contains(">2020-01-02<"), "the time axis starts at the first bar")

        let path = scratch + "/chart.svg"
        let png = scratch + "/chart.png"
        try response.text.write(toFile: path, atomically: true, encoding: .utf8)
        let shot = try Chromium.screenshot(path, to: png, width: 960, height: 540, scratch: scratch)
        #expect(shot.status == 0, "\(shot.output)")
        let (width, height, rows) = try inspect(png)
        #expect(width == 960 && height == 540)
        #expect(rows > 50, "a blank page has one distinct row, the chart has \(rows)")
        if let keep = ProcessInfo.processInfo.environment["TM_KEEP_CHART_PNG"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }

        let line = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/chart.svg?kind=line&start=2021-01-01&end=2021-02-01", headers: auth)
        #expect(line.status == 200 && line.text.contains("<polyline"))
        for bad in ["kind=bars", "width=10", "height=abc", "symbol=ZZZ", "end=soon"] {
            #expect(try fx.client.send("GET", "/api/v1/data/datasets/\(id)/chart.svg?\(bad)", headers: auth).status == 422, "\(bad)")
        }
        let empty = try fx.client.send("GET", "/api/v1/data/datasets/\(id)/chart.svg?start=2040-01-01", headers: auth)
        #expect(empty.status == 200 && empty.text.contains("No bars in this range"))
    }
}
