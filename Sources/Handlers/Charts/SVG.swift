import Foundation

/// Text helpers of the server-rendered SVG charts (price chart, tear sheet).
enum SVG {
    /// A coordinate with two decimals.
    static func f(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Text made safe for an SVG or HTML text node or attribute.
    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    /// The opening of a document: the `<svg>` element, a white background and the title.
    static func header(width: Int, height: Int, title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="DejaVu Sans, sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="12.0" y="18" font-size="13" fill="#222">\(escape(title))</text>

        """
    }

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

    /// An axis label with as many decimals as the magnitude needs.
    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.2f", value) }
        return String(format: "%.4f", value)
    }

    /// A fraction as a percentage label (`-12.5%`).
    static func percent(_ value: Double, decimals: Int = 1) -> String {
        value.isFinite ? String(format: "%.\(decimals)f%%", value * 100) : "–"
    }
}
