import Quant

/// One plot area of a chart: bars (or points) in equal slots across, values up the side.
/// Draws the grid with value labels, the border, date labels under a time axis, and lines.
struct ChartFrame {
    /// The plot area, in pixels.
    var left, top, right, bottom: Double
    /// The value range shown, bottom to top.
    var low, high: Double
    /// The number of slots across.
    var count: Int

    /// The frame of `values` (NaN ignored), padded by 4 % of their range.
    init(left: Double, top: Double, right: Double, bottom: Double, values: [Double], count: Int, including: [Double] = []) {
        let finite = values.filter(\.isFinite) + including
        let lo = finite.min() ?? 0
        let hi = finite.max() ?? 1
        let pad = hi > lo ? (hi - lo) * 0.04 : max(abs(hi) * 0.01, 1e-6)
        self.init(left: left, top: top, right: right, bottom: bottom, low: lo - pad, high: hi + pad, count: count)
    }

    /// A frame over an explicit value range.
    init(left: Double, top: Double, right: Double, bottom: Double, low: Double, high: Double, count: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
        self.low = low
        self.high = high
        self.count = max(count, 1)
    }

    /// The width of one slot.
    var slot: Double { (right - left) / Double(count) }
    /// The centre of slot `i`.
    func x(_ i: Int) -> Double { left + slot * (Double(i) + 0.5) }
    /// The height of `value`.
    func y(_ value: Double) -> Double { bottom - (value - low) / (high - low) * (bottom - top) }

    /// Horizontal grid lines with labels at the right, then the border.
    func grid(ticks: Int = 6, format: (Double) -> String = SVG.label) -> String {
        var svg = ""
        for tick in SVG.ticks(low, high, count: ticks) {
            svg += "<line x1=\"\(SVG.f(left))\" x2=\"\(SVG.f(right))\" y1=\"\(SVG.f(y(tick)))\" y2=\"\(SVG.f(y(tick)))\" stroke=\"#e5e5e5\"/>"
            svg += "<text x=\"\(SVG.f(right + 6))\" y=\"\(SVG.f(y(tick) + 4))\" fill=\"#444\">\(format(tick))</text>\n"
        }
        return svg + border()
    }

    /// The frame's outline.
    func border() -> String {
        "<rect x=\"\(SVG.f(left))\" y=\"\(SVG.f(top))\" width=\"\(SVG.f(right - left))\" height=\"\(SVG.f(bottom - top))\" fill=\"none\" stroke=\"#999\"/>\n"
    }

    /// About six date labels under `axis` (times too when the span is under three days).
    func timeAxis(_ times: [Int64], at axis: Double) -> String {
        let n = min(times.count, count)
        guard n > 0 else { return "" }
        let span = times[n - 1] - times[0]
        let labels = min(6, n)
        var svg = ""
        for k in 0..<labels {
            let i = labels == 1 ? 0 : k * (n - 1) / (labels - 1)
            var text = TimestampFormatter.iso8601(times[i])
            text = span < 3 * 86_400 ? String(text.replacing("T", with: " ").prefix(16)) : String(text.prefix(10))
            let anchor = k == 0 ? "start" : (k == labels - 1 ? "end" : "middle")
            svg += "<line x1=\"\(SVG.f(x(i)))\" x2=\"\(SVG.f(x(i)))\" y1=\"\(SVG.f(axis))\" y2=\"\(SVG.f(axis + 4))\" stroke=\"#999\"/>"
            svg += "<text x=\"\(SVG.f(x(i)))\" y=\"\(SVG.f(axis + 16))\" text-anchor=\"\(anchor)\" fill=\"#444\">\(text)</text>\n"
        }
        return svg
    }

    /// `values` as a line (a gap where a value is NaN).
    func line(_ values: [Double], color: String, width: Double = 1.5) -> String {
        var d = ""
        var pen = false
        for (i, v) in values.enumerated() {
            guard v.isFinite else {
                pen = false
                continue
            }
            d += (pen ? "L" : "M") + "\(SVG.f(x(i))) \(SVG.f(y(v)))"
            pen = true
        }
        return "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"/>\n"
    }

    /// The area between `values` and `base` (NaN as `base`).
    func area(_ values: [Double], base: Double, color: String) -> String {
        guard !values.isEmpty else { return "" }
        var d = "M\(SVG.f(x(0))) \(SVG.f(y(base)))"
        for (i, v) in values.enumerated() { d += "L\(SVG.f(x(i))) \(SVG.f(y(v.isFinite ? v : base)))" }
        d += "L\(SVG.f(x(values.count - 1))) \(SVG.f(y(base)))z"
        return "<path d=\"\(d)\" fill=\"\(color)\" stroke=\"none\"/>\n"
    }
}
