import Foundation
import Models
import Quant

/// Draws bars as an SVG chart: a price pane (candles or a close line) over a volume pane,
/// a time axis with readable dates and a price axis with round steps.
struct ChartRenderer {
    /// Candles or a close line.
    enum Kind: String, CaseIterable {
        case candles, line
    }

    var width: Int
    var height: Int
    var kind: Kind
    var title: String

    private var left: Double { 12 }
    private var right: Double { Double(width) - 64 }
    private var priceTop: Double { 28 }
    private var priceBottom: Double { Double(height) * 0.72 }
    private var volumeTop: Double { Double(height) * 0.76 }
    private var volumeBottom: Double { Double(height) - 26 }

    /// Round steps for an axis spanning `low...high` with about `count` ticks.
    static func ticks(_ low: Double, _ high: Double, count: Int) -> [Double] {
        guard high > low, count > 0 else { return [low] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var value = ceil(low / step) * step
        var out: [Double] = []
        while value <= high + step * 1e-9, out.count < 50 {
            out.append(value)
            value += step
        }
        return out
    }

    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.2f", value) }
        return String(format: "%.4f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    /// The SVG document.
    func render(_ bars: BarColumns) -> String {
        let n = bars.time.count
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="DejaVu Sans, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(left)" y="18" font-size="13" fill="#222">\(Self.escape(title))</text>

            """
        guard n > 0 else {
            return svg + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">No bars in this range</text></svg>\n"
        }
        let low = (kind == .candles ? bars.low : bars.close).min()!, high = (kind == .candles ? bars.high : bars.close).max()!
        let pad = high > low ? (high - low) * 0.04 : max(abs(high) * 0.01, 1e-6)
        let (minPrice, maxPrice) = (low - pad, high + pad)
        let maxVolume = max(bars.volume.max() ?? 0, 1e-12)
        let slot = (right - left) / Double(n)
        func x(_ i: Int) -> Double { left + slot * (Double(i) + 0.5) }
        func y(_ price: Double) -> Double { priceBottom - (price - minPrice) / (maxPrice - minPrice) * (priceBottom - priceTop) }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }

        // Grid and price axis.
        for tick in Self.ticks(minPrice, maxPrice, count: 6) {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#e5e5e5\"/>"
            svg += "<text x=\"\(f(right + 6))\" y=\"\(f(y(tick) + 4))\" fill=\"#444\">\(Self.label(tick))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(priceTop))\" width=\"\(f(right - left))\" height=\"\(f(priceBottom - priceTop))\" fill=\"none\" stroke=\"#999\"/>\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(volumeTop))\" width=\"\(f(right - left))\" height=\"\(f(volumeBottom - volumeTop))\" fill=\"none\" stroke=\"#999\"/>\n"
        svg += "<text x=\"\(f(right + 6))\" y=\"\(f(volumeTop + 10))\" fill=\"#444\">vol</text>\n"

        // Volume pane.
        let barWidth = max(slot * 0.7, 0.5)
        var volumePath = ""
        for i in 0..<n {
            let h = bars.volume[i] / maxVolume * (volumeBottom - volumeTop - 2)
            volumePath += "M\(f(x(i) - barWidth / 2)) \(f(volumeBottom))h\(f(barWidth))v\(f(-h))h\(f(-barWidth))z"
        }
        svg += "<path d=\"\(volumePath)\" fill=\"#8fa8c8\"/>\n"

        // Price pane.
        switch kind {
        case .line:
            let points = (0..<n).map { "\(f(x($0))),\(f(y(bars.close[$0])))" }.joined(separator: " ")
            svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.5\"/>\n"
        case .candles:
            var up = "", down = "", wicks = ""
            for i in 0..<n {
                wicks += "M\(f(x(i))) \(f(y(bars.high[i])))V\(f(y(bars.low[i])))"
                let top = y(max(bars.open[i], bars.close[i])), bottom = y(min(bars.open[i], bars.close[i]))
                let body = "M\(f(x(i) - barWidth / 2)) \(f(top))h\(f(barWidth))v\(f(max(bottom - top, 0.8)))h\(f(-barWidth))z"
                if bars.close[i] >= bars.open[i] { up += body } else { down += body }
            }
            svg += "<path d=\"\(wicks)\" stroke=\"#555\" stroke-width=\"1\"/>\n"
            svg += "<path d=\"\(up)\" fill=\"#2e9d5b\"/>\n<path d=\"\(down)\" fill=\"#d0443e\"/>\n"
        }

        // Time axis: about six labels, dates (with times when the span is under three days).
        let span = bars.time[n - 1] - bars.time[0]
        let labels = min(6, n)
        for k in 0..<labels {
            let i = labels == 1 ? 0 : k * (n - 1) / (labels - 1)
            var text = TimestampFormatter.iso8601(bars.time[i])
            text = span < 3 * 86_400 ? String(text.replacing("T", with: " ").prefix(16)) : String(text.prefix(10))
            let anchor = k == 0 ? "start" : (k == labels - 1 ? "end" : "middle")
            svg += "<line x1=\"\(f(x(i)))\" x2=\"\(f(x(i)))\" y1=\"\(f(volumeBottom))\" y2=\"\(f(volumeBottom + 4))\" stroke=\"#999\"/>"
            svg += "<text x=\"\(f(x(i)))\" y=\"\(f(volumeBottom + 16))\" text-anchor=\"\(anchor)\" fill=\"#444\">\(text)</text>\n"
        }
        return svg + "</svg>\n"
    }
}
