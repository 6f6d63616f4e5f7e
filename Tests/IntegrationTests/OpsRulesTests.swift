import Foundation
import TestSupport
import Testing

/// The operations files (`ops/`): the alert rules pass `promtool check rules` and their unit
/// tests (`promtool test rules`), the Prometheus configuration passes `promtool check
/// config`, and the Grafana dashboard is valid JSON whose every `tm_*`/`process_*` metric
/// is one the backend exports (the names in `Sources/Metrics`).
@Suite struct OpsRulesTests {
    let repo: String

    init() throws {
        repo = try TestStack.current().repo
    }

    func promtool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestStack.run(["promtool"] + arguments)
    }

    @Test func alertRulesAreValidAndTheirTestsPass() throws {
        let rules = repo + "/ops/prometheus/trademaster-alerts.yml"
        let check = try promtool(["check", "rules", rules])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 16 rules found"), "\(check.output)")
        let tests = try promtool(["test", "rules", repo + "/ops/prometheus/trademaster-alerts.test.yml"])
        #expect(tests.status == 0, "\(tests.output)")
        #expect(tests.output.contains("SUCCESS"), "\(tests.output)")
        let config = try promtool(["check", "config", repo + "/ops/prometheus/prometheus.yml"])
        #expect(config.status == 0, "\(config.output)")
    }

    /// Every alert the rules file defines has at least one firing case in its tests, so a rule
    /// cannot be added untested.
    @Test func everyAlertHasAFiringTest() throws {
        let rules = try String(contentsOfFile: repo + "/ops/prometheus/trademaster-alerts.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: repo + "/ops/prometheus/trademaster-alerts.test.yml", encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.hasPrefix("- alert: ") ? String(text.dropFirst("- alert: ".count)) : nil
        }
        #expect(alerts.count == 16)
        let untested = alerts.filter { !tests.contains("alertname: \($0)\n        exp_alerts:\n          - exp_labels") }
        #expect(untested.isEmpty, "alerts without a firing case in trademaster-alerts.test.yml: \(untested)")
    }

    @Test func theDashboardUsesOnlyExportedMetrics() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/ops/grafana/trademaster.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count > 30)
        var catalogue = ""
        for file in ["MetricCatalog.swift", "ProcessMetrics.swift"] {
            catalogue += try String(contentsOfFile: repo + "/Sources/Metrics/" + file, encoding: .utf8)
        }
        let rules = try String(contentsOfFile: repo + "/ops/prometheus/trademaster-alerts.yml", encoding: .utf8)
        var unknown: Set<String> = []
        for text in expressions + [rules] {
            let regex = try NSRegularExpression(pattern: #"\b(tm_[a-z_]+|process_[a-z_]+)\b"#)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                var name = String(text[Range(match.range, in: text)!])
                for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) && !catalogue.contains("\"\(name)\"") {
                    name = String(name.dropLast(suffix.count))
                }
                if !catalogue.contains("\"\(name)\"") { unknown.insert(name) }
            }
        }
        #expect(unknown.isEmpty, "metrics the backend does not export: \(unknown.sorted())")
    }
}
