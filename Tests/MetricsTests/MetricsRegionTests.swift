import Foundation
import Testing

@testable import Metrics

/// The shared counter table: two mappings of one region (as two processes have) see one
/// another's counts; concurrent writers lose nothing; the text format is Prometheus'.
@Suite struct MetricsRegionTests {
    func path() -> String { "/dev/shm/tm-metrics-test-\(UUID().uuidString)" }

    @Test func twoMappingsShareEveryCount() throws {
        let file = path()
        let master = try #require(MetricsRegion.create(path: file))
        let worker = try #require(MetricsRegion.attach(path: file))
        worker.add("tm_x_total{a=\"1\"}", 3)
        master.add("tm_x_total{a=\"1\"}", 4)
        worker.observe("tm_latency_seconds", seconds: 0.02)
        let samples = master.samples()
        #expect(samples.first { $0.series == "tm_x_total{a=\"1\"}" }?.value == 7)
        let histogram = try #require(samples.first { $0.series == "tm_latency_seconds" })
        #expect(histogram.count == 1)
        #expect(histogram.buckets[2] == 1)  // 0.01 < 0.02 <= 0.025
        #expect(MetricsRegion.attach(path: path()) == nil)
    }

    @Test func concurrentWritersFromManyThreadsLoseNothing() throws {
        let file = path()
        let region = try #require(MetricsRegion.create(path: file))
        let others = (0..<4).map { _ in MetricsRegion.attach(path: file)! }
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let mapping = others[thread % 4]
            for index in 0..<5_000 {
                mapping.add("tm_c_total{series=\"\(index % 50)\"}")
                mapping.observe("tm_h_seconds{series=\"\(index % 7)\"}", seconds: Double(index % 100) / 1000)
            }
        }
        let samples = region.samples()
        let counters = samples.filter { $0.series.hasPrefix("tm_c_total") }
        #expect(counters.count == 50)
        #expect(counters.map(\.value).reduce(0, +) == 40_000)
        #expect(counters.allSatisfy { $0.value == 800 })
        let histograms = samples.filter { $0.series.hasPrefix("tm_h_seconds") }
        #expect(histograms.map(\.count).reduce(0, +) == 40_000)
        #expect(histograms.allSatisfy { $0.buckets.reduce(0, +) == $0.count })
    }

    @Test func gaugesGoBothWays() {
        let region = MetricsRegion.local()
        region.adjust("tm_busy", by: 3)
        region.adjust("tm_busy", by: -5)
        #expect(region.samples().first?.value == -2)
        region.set("tm_busy", 9)
        #expect(region.samples().first?.value == 9)
    }

    @Test func exposition() {
        let region = MetricsRegion.local()
        region.add(MetricCatalog.series(MetricCatalog.httpRequests, [("method", "GET"), ("route", "/a\"b"), ("status", "200")]), 2)
        region.observe(MetricCatalog.series(MetricCatalog.httpDuration, [("method", "GET"), ("route", "/a")]), seconds: 0.003)
        region.observe(MetricCatalog.series(MetricCatalog.httpDuration, [("method", "GET"), ("route", "/a")]), seconds: 20)
        let text = PrometheusText.render(region.samples())
        #expect(text.contains("# TYPE tm_http_requests_total counter\n"))
        #expect(text.contains(#"tm_http_requests_total{method="GET",route="/a\"b",status="200"} 2"#))
        #expect(text.contains(#"tm_http_request_duration_seconds_bucket{method="GET",route="/a",le="0.005"} 1"#))
        #expect(text.contains(#"tm_http_request_duration_seconds_bucket{method="GET",route="/a",le="10"} 1"#))
        #expect(text.contains(#"tm_http_request_duration_seconds_bucket{method="GET",route="/a",le="+Inf"} 2"#))
        #expect(text.contains(#"tm_http_request_duration_seconds_count{method="GET",route="/a"} 2"#))
        #expect(text.contains("# HELP tm_http_request_duration_seconds "))
    }
}
