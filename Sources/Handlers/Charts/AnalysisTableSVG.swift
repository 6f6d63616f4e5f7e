import Foundation
import TradeMasterAPI

/// The market-dynamics analysis CSV drawn as a table (the service sends it as data, not a
/// picture): one row per market dynamic, numbers with four significant digits.
enum AnalysisTableSVG {
    /// The SVG document of `table`.
    static func render(_ table: AnalysisTable, title: String) -> String {
        let columnWidth = 150
        let rowHeight = 20
        let shownRows = table.rows.prefix(200)
        let width = 24 + columnWidth * max(table.columns.count, 1)
        let height = 40 + rowHeight * (shownRows.count + 1) + 12
        var svg = SVG.header(width: width, height: height, title: title)
        func row(_ cells: [String], at index: Int, bold: Bool) {
            let y = 40 + rowHeight * index
            if index % 2 == 1 { svg += "<rect x=\"12\" y=\"\(y)\" width=\"\(width - 24)\" height=\"\(rowHeight)\" fill=\"#f3f5f8\"/>\n" }
            for (column, cell) in cells.enumerated() {
                let x = 16 + columnWidth * column
                svg +=
                    "<text x=\"\(x)\" y=\"\(y + 14)\"\(bold ? " font-weight=\"bold\"" : "") fill=\"#222\">\(SVG.escape(String(cell.prefix(24))))</text>\n"
            }
        }
        row(table.columns, at: 0, bold: true)
        for (index, cells) in shownRows.enumerated() {
            row(cells.map(Self.cell), at: index + 1, bold: false)
        }
        return svg + "</svg>\n"
    }

    /// A numeric cell with four significant digits; text as it is.
    static func cell(_ text: String) -> String {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, Int64(text) == nil else { return text }
        return String(format: "%.4g", value)
    }
}
