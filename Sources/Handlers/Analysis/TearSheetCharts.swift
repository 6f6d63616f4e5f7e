import Foundation
import Quant

/// The tear sheet's SVG charts, drawn with `ChartFrame` (the price chart's axes and grid).
struct TearSheetCharts {
    let sheet: TearSheet
    /// The most points a line chart draws.
    static let maximumPoints = 800

    private static let left = 12.0, top = 28.0

    /// Evenly spaced rows of the curve (the first and last kept).
    private var rows: [Int] { Downsampling.indices(count: sheet.timestamps.count, maxPoints: Self.maximumPoints) }

    /// The equity curve against the benchmark scaled to the same start.
    func equity(width: Int = 960, height: Int = 360) -> String {
        var svg = SVG.header(width: width, height: height, title: "Equity" + (sheet.benchmark != nil ? " vs \(sheet.benchmarkName)" : ""))
        let rows = self.rows
        guard rows.count >= 2 else { return svg + empty(width, height) }
        let equity = rows.map { sheet.equity[$0] }
        var bench: [Double] = []
        if let b = sheet.benchmark, let first = b.first(where: \.isFinite), first != 0, let start = sheet.equity.first {
            bench = rows.map { b[$0] / first * start }
        }
        let frame = ChartFrame(
            left: Self.left, top: Self.top, right: Double(width) - 72, bottom: Double(height) - 26,
            values: equity + bench, count: rows.count)
        svg += frame.grid()
        if !bench.isEmpty { svg += frame.line(bench, color: "#999999", width: 1.2) }
        svg += frame.line(equity, color: "#1f5fbf", width: 1.6)
        svg += legend([("#1f5fbf", "strategy")] + (bench.isEmpty ? [] : [("#999999", sheet.benchmarkName)]), x: Self.left + 8, y: Self.top + 14)
        svg += frame.timeAxis(rows.map { sheet.timestamps[$0] }, at: frame.bottom)
        return svg + "</svg>\n"
    }

    /// The drawdown from the running peak: each drawn point is its bucket's deepest.
    func underwater(width: Int = 960, height: Int = 220) -> String {
        var svg = SVG.header(width: width, height: height, title: "Underwater (drawdown)")
        let dd = [0] + Risk.drawdownSeries(sheet.returns)
        guard dd.count >= 2 else { return svg + empty(width, height) }
        let rows = self.rows
        var values: [Double] = []
        for (k, row) in rows.enumerated() {
            let from = k == 0 ? 0 : rows[k - 1] + 1
            values.append(dd[from...row].min() ?? 0)
        }
        let frame = ChartFrame(
            left: Self.left, top: Self.top, right: Double(width) - 72, bottom: Double(height) - 26,
            values: values, count: values.count, including: [0])
        svg += frame.grid(ticks: 4) { SVG.percent($0, decimals: 0) }
        svg += frame.area(values, base: 0, color: "#e0a0a0")
        svg += frame.line(values, color: "#c0392b", width: 1)
        svg += frame.timeAxis(rows.map { sheet.timestamps[$0] }, at: frame.bottom)
        return svg + "</svg>\n"
    }

    /// The Sharpe ratio over a rolling window, with its zero line.
    func rollingSharpe(width: Int = 960, height: Int = 220) -> String {
        var svg = SVG.header(width: width, height: height, title: "Rolling Sharpe (\(sheet.rollingWindow) bars)")
        let r = sheet.returns
        guard r.count >= sheet.rollingWindow, let sharpe = try? Risk.rollingSharpe(r, window: sheet.rollingWindow) else {
            return svg + empty(width, height, "Too few returns for the window")
        }
        let series = [Double.nan] + sharpe
        let rows = self.rows
        let values = rows.map { series[$0] }
        let frame = ChartFrame(
            left: Self.left, top: Self.top, right: Double(width) - 72, bottom: Double(height) - 26,
            values: values, count: values.count, including: [0])
        svg += frame.grid(ticks: 4) { String(format: "%.2f", $0) }
        svg +=
            "<line x1=\"\(SVG.f(frame.left))\" x2=\"\(SVG.f(frame.right))\" y1=\"\(SVG.f(frame.y(0)))\" y2=\"\(SVG.f(frame.y(0)))\" stroke=\"#666\"/>\n"
        svg += frame.line(values, color: "#7b3fb5", width: 1.2)
        svg += frame.timeAxis(rows.map { sheet.timestamps[$0] }, at: frame.bottom)
        return svg + "</svg>\n"
    }

    /// Monthly returns: a year per row, a month per column, green up and red down.
    func monthlyHeatmap(width: Int = 960) -> String {
        let months = sheet.performance.periods.monthly
        let years = Array(Set(months.map(\.year))).sorted()
        let cell = (Double(width) - 80) / 13
        let rowHeight = 22.0
        let height = Int(Self.top + 24 + rowHeight * Double(max(years.count, 1)) + 12)
        var svg = SVG.header(width: width, height: height, title: "Monthly returns")
        guard !years.isEmpty else { return svg + empty(width, height) }
        let biggest = max(months.map { abs($0.value) }.filter(\.isFinite).max() ?? 0, 1e-9)
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Year"]
        for (c, name) in names.enumerated() {
            svg +=
                "<text x=\"\(SVG.f(60 + cell * (Double(c) + 0.5)))\" y=\"\(SVG.f(Self.top + 14))\" text-anchor=\"middle\" fill=\"#444\">\(name)</text>"
        }
        svg += "\n"
        let yearly = Dictionary(sheet.performance.periods.yearly.map { ($0.year, $0.value) }, uniquingKeysWith: { a, _ in a })
        for (r, year) in years.enumerated() {
            let y = Self.top + 22 + rowHeight * Double(r)
            svg += "<text x=\"12\" y=\"\(SVG.f(y + 15))\" fill=\"#444\">\(year)</text>"
            var cells: [(Int, Double)] = months.filter { $0.year == year }.map { ($0.month - 1, $0.value) }
            if let v = yearly[year] { cells.append((12, v)) }
            for (c, v) in cells {
                let x = 60 + cell * Double(c)
                let strength = min(abs(v) / biggest, 1) * 0.85 + 0.1
                let fill = v >= 0 ? "rgba(46,157,91,\(SVG.f(strength)))" : "rgba(208,68,62,\(SVG.f(strength)))"
                svg +=
                    "<rect x=\"\(SVG.f(x + 1))\" y=\"\(SVG.f(y))\" width=\"\(SVG.f(cell - 2))\" height=\"\(SVG.f(rowHeight - 2))\" fill=\"\(fill)\"/>"
                svg += "<text x=\"\(SVG.f(x + cell / 2))\" y=\"\(SVG.f(y + 15))\" text-anchor=\"middle\" fill=\"#111\">\(SVG.percent(v))</text>"
            }
            svg += "\n"
        }
        return svg + "</svg>\n"
    }

    /// The closed trades' returns in 20 bins.
    func tradeDistribution(width: Int = 960, height: Int = 240) -> String {
        var svg = SVG.header(width: width, height: height, title: "Trade returns (\(sheet.tradeReturns.count) closed trades)")
        let values = sheet.tradeReturns.filter(\.isFinite)
        guard let lo = values.min(), let hi = values.max() else { return svg + empty(width, height, "No closed trades") }
        let bins = 20
        let span = hi > lo ? hi - lo : max(abs(hi), 0.01)
        let start = hi > lo ? lo : lo - span / 2
        var counts = [Int](repeating: 0, count: bins)
        for v in values {
            // Returns spread past Double's range make the position infinite: clamp before Int.
            let position = (v - start) / span * Double(bins)
            counts[position.isNaN ? 0 : Int(Swift.min(Swift.max(position, 0), Double(bins - 1)))] += 1
        }
        let frame = ChartFrame(
            left: Self.left, top: Self.top, right: Double(width) - 72, bottom: Double(height) - 26,
            low: 0, high: Double(counts.max() ?? 1) * 1.08, count: bins)
        // Counts are whole: label only whole ticks.
        svg += frame.grid(ticks: 4) { $0 == $0.rounded() ? String(Int($0)) : "" }
        for (i, n) in counts.enumerated() where n > 0 {
            let mid = start + span * (Double(i) + 0.5) / Double(bins)
            svg +=
                "<rect x=\"\(SVG.f(frame.x(i) - frame.slot * 0.42))\" y=\"\(SVG.f(frame.y(Double(n))))\" width=\"\(SVG.f(frame.slot * 0.84))\" "
                + "height=\"\(SVG.f(frame.bottom - frame.y(Double(n))))\" fill=\"\(mid >= 0 ? "#2e9d5b" : "#d0443e")\"/>"
        }
        svg += "\n"
        for i in stride(from: 0, through: bins, by: 5) {
            let x = frame.left + frame.slot * Double(i)
            let anchor = i == 0 ? "start" : (i == bins ? "end" : "middle")
            svg +=
                "<text x=\"\(SVG.f(x))\" y=\"\(SVG.f(frame.bottom + 16))\" text-anchor=\"\(anchor)\" fill=\"#444\">\(SVG.percent(start + span * Double(i) / Double(bins)))</text>"
        }
        return svg + "\n</svg>\n"
    }

    private func legend(_ items: [(String, String)], x: Double, y: Double) -> String {
        var svg = ""
        var dx = x
        for (color, name) in items {
            svg += "<rect x=\"\(SVG.f(dx))\" y=\"\(SVG.f(y - 8))\" width=\"14\" height=\"3\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(SVG.f(dx + 18))\" y=\"\(SVG.f(y - 3))\" fill=\"#333\">\(SVG.escape(name))</text>"
            dx += 30 + Double(name.count) * 6.5
        }
        return svg + "\n"
    }

    private func empty(_ width: Int, _ height: Int, _ text: String = "No data") -> String {
        "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">\(SVG.escape(text))</text></svg>\n"
    }
}
