/// The Prometheus text exposition format (version 0.0.4) of a region's series, with `# HELP`
/// and `# TYPE` for every metric family; histograms get cumulative `_bucket` lines with
/// `le`, `_sum` and `_count`.
public enum PrometheusText {
    /// The content type of the format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `samples` (plus `extra`, computed at scrape time) as exposition text.
    public static func render(_ samples: [MetricsRegion.Sample], extra: [MetricsRegion.Sample] = []) -> String {
        var families: [String: [MetricsRegion.Sample]] = [:]
        for sample in samples + extra { families[family(of: sample.series), default: []].append(sample) }
        var out = ""
        for name in families.keys.sorted() {
            let members = families[name]!.sorted { $0.series < $1.series }
            let kind = members[0].kind
            out += "# HELP \(name) \(MetricCatalog.help[name] ?? ProcessMetrics.help[name] ?? name)\n"
            out += "# TYPE \(name) \(kind == .counter ? "counter" : kind == .gauge ? "gauge" : "histogram")\n"
            for sample in members {
                switch sample.kind {
                case .counter, .gauge:
                    out += "\(sample.series) \(number(sample.value))\n"
                case .histogram:
                    let labels = labelText(of: sample.series)
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(MetricsRegion.bucketBounds, sample.buckets) {
                        cumulative += count
                        out += "\(name)_bucket{\(labels.isEmpty ? "" : labels + ",")le=\"\(number(bound))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(labels.isEmpty ? "" : labels + ",")le=\"+Inf\"} \(sample.count)\n"
                    out += "\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(number(sample.value))\n"
                    out += "\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(sample.count)\n"
                }
            }
        }
        return out
    }

    /// `name{labels}` → `name`.
    static func family(of series: String) -> String {
        series.firstIndex(of: "{").map { String(series[..<$0]) } ?? series
    }

    /// `name{a="b"}` → `a="b"`.
    static func labelText(of series: String) -> String {
        guard let open = series.firstIndex(of: "{"), series.hasSuffix("}") else { return "" }
        return String(series[series.index(after: open)..<series.index(before: series.endIndex)])
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A label value escaped as the format requires (backslash, quote, newline).
    public static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
