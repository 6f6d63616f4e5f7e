import Foundation
import Quant

/// Renders a `TearSheet` as one self-contained HTML page: inline CSS and SVG, no script,
/// no font or image from the network.
package struct TearSheetRenderer {
    let sheet: TearSheet

    /// A renderer of `sheet`.
    package init(sheet: TearSheet) { self.sheet = sheet }

    private func percent(_ v: Double?) -> String { SVG.percent(v ?? .nan, decimals: 2) }
    private func ratio(_ v: Double?) -> String { (v ?? .nan).isFinite ? String(format: "%.3f", v ?? 0) : "–" }
    private func money(_ v: Double) -> String { v.isFinite ? String(format: "%.2f", v) : "–" }
    private func date(_ row: Int?) -> String {
        guard let row, sheet.timestamps.indices.contains(row) else { return "–" }
        return String(TimestampFormatter.iso8601(sheet.timestamps[row]).prefix(10))
    }

    private func table(_ caption: String, _ rows: [(String, String)]) -> String {
        var html = "<table><caption>\(SVG.escape(caption))</caption>"
        for (k, v) in rows { html += "<tr><th>\(SVG.escape(k))</th><td>\(SVG.escape(v))</td></tr>" }
        return html + "</table>\n"
    }

    /// The metric tables: performance, TradeMaster's figures, trades, risk, worst drawdowns.
    func tables() -> String {
        let m = sheet.performance.metrics
        var perf: [(String, String)] = [
            ("Total return", percent(m.cumulativeReturn)), ("Annual return", percent(m.annualReturn)),
            ("Annual volatility", percent(m.annualVolatility)), ("Sharpe", ratio(m.sharpe)), ("Sortino", ratio(m.sortino)),
            ("Calmar", ratio(m.calmar)), ("Omega", ratio(m.omega)), ("Max drawdown", percent(m.maxDrawdown)),
            ("Tail ratio", ratio(m.tailRatio)), ("Stability", ratio(m.stability)), ("Downside risk", percent(m.downsideRisk)),
        ]
        if m.alignedCount != nil { perf += [("Alpha", percent(m.alpha)), ("Beta", ratio(m.beta))] }
        var html = "<div class=\"tables\">" + table("Performance", perf)
        if let t = m.tradeMaster {
            html += table(
                "TradeMaster",
                [
                    ("Total return", percent(t.totalReturn)), ("Sharpe", ratio(t.sharpe)), ("Volatility", percent(t.volatility)),
                    ("Max drawdown", percent(t.maxDrawdown)), ("Calmar", ratio(t.calmar)), ("Sortino", ratio(t.sortino)),
                ])
        }
        if let s = sheet.performance.trades {
            html += table(
                "Trades",
                [
                    ("Closed trades", String(s.count)), ("Open trades", String(s.openTrades)), ("Win rate", percent(s.winRate)),
                    ("Profit factor", ratio(s.profitFactor)), ("Average win", money(s.averageWin)), ("Average loss", money(s.averageLoss)),
                    ("Expectancy", money(s.expectancy)), ("Exposure", percent(s.exposure)),
                    ("Longest win streak", String(s.longestWinStreak)), ("Longest loss streak", String(s.longestLossStreak)),
                ])
        }
        let r = sheet.risk
        var risk = r.valueAtRisk.map {
            ("VaR \(Int(($0.confidence * 100).rounded())) % \($0.method.rawValue.replacing("_", with: "-"))", percent($0.value))
        }
        for (c, v) in zip(RiskReport.confidences, r.conditionalValueAtRisk) { risk.append(("CVaR \(Int((c * 100).rounded())) %", percent(v))) }
        risk += [("Skewness", ratio(r.skewness)), ("Excess kurtosis", ratio(r.kurtosis))]
        if let beta = r.beta { risk.append(("Beta", ratio(beta))) }
        html += table("Risk (per period)", risk)
        html +=
            "</div>\n<table class=\"wide\"><caption>Worst drawdowns</caption><tr><th>Depth</th><th>Peak</th><th>Trough</th><th>Recovery</th><th>Bars</th></tr>"
        for d in r.worstDrawdowns {
            html +=
                "<tr><td>\(percent(d.depth))</td><td>\(date(d.peak))</td><td>\(date(d.trough))</td><td>\(d.recovery == nil ? "not recovered" : date(d.recovery))</td><td>\(d.duration)</td></tr>"
        }
        return html + "</table>\n"
    }

    /// The page.
    package func render() -> String {
        let charts = TearSheetCharts(sheet: sheet)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVG.escape(sheet.title))</title>
            <style>
            body{font-family:"DejaVu Sans",sans-serif;margin:24px;color:#222;background:#fff;max-width:1000px}
            h1{font-size:22px;margin:0 0 4px}p.details{color:#555;margin:2px 0}
            figure{margin:18px 0}svg{display:block;max-width:100%;height:auto}
            .tables{display:flex;flex-wrap:wrap;gap:18px;margin:18px 0;align-items:flex-start}
            table{border-collapse:collapse;font-size:13px}caption{text-align:left;font-weight:bold;padding:4px 0}
            th,td{border-bottom:1px solid #e5e5e5;padding:3px 10px;text-align:left}td{text-align:right}
            table.wide td{text-align:left}
            </style></head><body>
            <h1>\(SVG.escape(sheet.title))</h1>

            """
        for line in sheet.details { html += "<p class=\"details\">\(SVG.escape(line))</p>\n" }
        html += "<figure>" + charts.equity() + "</figure>\n"
        html += "<figure>" + charts.underwater() + "</figure>\n"
        html += tables()
        html += "<figure>" + charts.monthlyHeatmap() + "</figure>\n"
        html += "<figure>" + charts.rollingSharpe() + "</figure>\n"
        html += "<figure>" + charts.tradeDistribution() + "</figure>\n"
        return html + "</body></html>\n"
    }
}
