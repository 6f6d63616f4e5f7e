import Foundation
import Quant
import TestSupport
import Testing

@testable import Handlers

/// The tear sheet page and its charts, from a synthetic curve; rendered in headless Chromium.
@Suite struct TearSheetRendererTests {
    /// A seeded random walk of `count` daily bars from 2020-01-01, and a benchmark.
    static func sheet(count: Int = 600, trades: Int = 40) throws -> TearSheet {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var equity = [100_000.0]
        var bench = [3000.0]
        for _ in 1..<count {
            equity.append(equity[equity.count - 1] * (1 + (uniform() - 0.49) * 0.03))
            bench.append(bench[bench.count - 1] * (1 + (uniform() - 0.495) * 0.02))
        }
        let times = (0..<count).map { Int64(1_577_836_800 + 86_400 * $0) }
        let trade = (0..<trades).map { _ in (uniform() - 0.45) * 0.1 }
        let stats = TradeStatistics(
            profits: trade.map { $0 * 10_000 }, returns: trade, barsHeld: trade.map { _ in 5 },
            openTrades: 1, exposure: 0.6)
        return TearSheet(
            title: "sma_crossover on SPX", details: ["fast 10, slow 30", "2020-01-01 to 2021-08-23"],
            timestamps: times, equity: equity, benchmark: bench, benchmarkName: "SPX",
            performance: try PerformanceReport(timestamps: times, values: equity, benchmark: (times, bench), trades: stats),
            risk: try RiskReport(timestamps: times, values: equity, benchmark: (times, bench)),
            tradeReturns: trade, rollingWindow: 63)
    }

    /// Every text that comes from a user (strategy and symbol names, details) is escaped in
    /// the page and in the SVG charts: hostile names stay text.
    @Test func hostileNamesStayText() throws {
        var sheet = try Self.sheet(count: 100)
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
        sheet.title = hostile
        sheet.details = [hostile]
        sheet.benchmarkName = hostile
        let html = TearSheetRenderer(sheet: sheet).render()
        for forbidden in ["<script", "<img", "onerror=alert(2)>"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let charts = TearSheetCharts(sheet: sheet)
        for svg in [charts.equity(), charts.tradeDistribution()] {
            #expect(!svg.contains("<script") && !svg.contains("<img"))
        }
    }

    @Test func thePageIsSelfContainedAndHasEverySection() throws {
        let html = TearSheetRenderer(sheet: try Self.sheet()).render()
        for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link", "@font-face"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        for title in [
            "Equity vs SPX", "Underwater (drawdown)", "Monthly returns", "Rolling Sharpe (63 bars)",
            "Trade returns (40 closed trades)", "<caption>Performance", "<caption>TradeMaster",
            "<caption>Trades", "<caption>Risk", "<caption>Worst drawdowns", ">2020<", ">2021<", ">Year<",
        ] {
            #expect(html.contains(title), "\(title)")
        }
        // Eight months of 2021 and twelve of 2020, each with a year total: 22 heat-map cells.
        #expect(html.components(separatedBy: "rgba(").count - 1 == 22)
        // Five worst drawdowns, one row each.
        #expect(html.components(separatedBy: "<tr><td>").count - 1 == 5)
    }

    @Test func chartsDrawTheirDataAndSurviveEmptyInput() throws {
        let sheet = try Self.sheet(count: 3000)
        let charts = TearSheetCharts(sheet: sheet)
        let equity = charts.equity()
        // Two lines (strategy and benchmark), each at most 800 points.
        let lines = equity.split(separator: "\n").filter { $0.hasPrefix("<path d=\"M") }
        #expect(lines.count == 2)
        for line in lines { #expect(line.filter { $0 == "L" }.count == TearSheetCharts.maximumPoints - 1) }
        #expect(equity.contains(">2020-01-01<"))
        var empty = sheet
        empty.timestamps = [0]
        empty.equity = [1]
        empty.benchmark = nil
        empty.tradeReturns = []
        empty.performance = try PerformanceReport(timestamps: [0], values: [1])
        let page = TearSheetRenderer(sheet: empty).render()
        #expect(page.contains("No data") && page.contains("No closed trades") && page.contains("Too few returns"))
    }

    @Test func tradeReturnsSpreadPastDoublesRangeStillMakeAHistogram() throws {
        var sheet = try Self.sheet(count: 100)
        // hi - lo overflows to infinity: the bin position was Int(inf) or Int(NaN), a trap.
        sheet.tradeReturns = [-1e308, 0, 1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        let chart = TearSheetCharts(sheet: sheet).tradeDistribution()
        #expect(chart.contains("5 closed trades"))
        #expect(chart.contains("<rect"))
    }

    @Test func theRefactoredPriceChartKeepsItsAxes() {
        #expect(SVG.ticks(0, 10, count: 5) == [0, 2, 4, 6, 8, 10])
        #expect(SVG.label(1234.5) == "1234" || SVG.label(1234.5) == "1235")
        #expect(SVG.escape("a<b&\"c\"") == "a&lt;b&amp;&quot;c&quot;")
    }

    @Test func thePageRendersInChromium() throws {
        let scratch = NSTemporaryDirectory() + "tm-tearsheet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let path = scratch + "/report.html"
        let png = scratch + "/report.png"
        try TearSheetRenderer(sheet: try Self.sheet()).render().write(toFile: path, atomically: true, encoding: .utf8)
        let shot = try Chromium.screenshot(path, to: png, width: 1050, height: 2400, scratch: scratch)
        #expect(shot.status == 0, "\(shot.output)")
        let (width, height, rows) = try PNGInspection.inspect(png)
        #expect(width == 1050 && height == 2400)
        #expect(rows > 200, "a blank page has one distinct row, the report has \(rows)")
        if let keep = ProcessInfo.processInfo.environment["TM_KEEP_TEARSHEET_PNG"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }
}
