import Foundation
import Models
import Quant
import Realtime

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

    /// The SVG document.
    func render(_ bars: BarColumns) -> String {
        let n = bars.time.count
        var svg = SVG.header(width: width, height: height, title: title)
        guard n > 0 else {
            return svg + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">No bars in this range</text></svg>\n"
        }
        let low = (kind == .candles ? bars.low : bars.close).min()!
        let high = (kind == .candles ? bars.high : bars.close).max()!
        let pad = high > low ? (high - low) * 0.04 : max(abs(high) * 0.01, 1e-6)
        let (minPrice, maxPrice) = (low - pad, high + pad)
        let maxVolume = max(bars.volume.max() ?? 0, 1e-12)
        let frame = ChartFrame(left: left, top: priceTop, right: right, bottom: priceBottom, low: minPrice, high: maxPrice, count: n)
        let slot = frame.slot
        let x = frame.x
        let y = frame.y
        let f = SVG.f

        // Grid and price axis, then the volume pane's border.
        svg += frame.grid()
        svg += ChartFrame(left: left, top: volumeTop, right: right, bottom: volumeBottom, low: 0, high: 1, count: n).border()
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
            var up = ""
            var down = ""
            var wicks = ""
            for i in 0..<n {
                wicks += "M\(f(x(i))) \(f(y(bars.high[i])))V\(f(y(bars.low[i])))"
                let top = y(max(bars.open[i], bars.close[i]))
                let bottom = y(min(bars.open[i], bars.close[i]))
                let body = "M\(f(x(i) - barWidth / 2)) \(f(top))h\(f(barWidth))v\(f(max(bottom - top, 0.8)))h\(f(-barWidth))z"
                if bars.close[i] >= bars.open[i] { up += body } else { down += body }
            }
            svg += "<path d=\"\(wicks)\" stroke=\"#555\" stroke-width=\"1\"/>\n"
            svg += "<path d=\"\(up)\" fill=\"#2e9d5b\"/>\n<path d=\"\(down)\" fill=\"#d0443e\"/>\n"
        }

        // Time axis: about six labels.
        svg += frame.timeAxis(bars.time, at: volumeBottom)
        return svg + "</svg>\n"
    }
}
