import Foundation
import TestSupport
import Testing

/// `/metrics` is served only through nginx's metrics location (the one that sets
/// `TM_METRICS_ENDPOINT=1`), and with `TM_METRICS_TOKEN` only to a scraper that sends it.
@Suite(.serialized) struct MetricsGuardTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    @Test func onlyTheMetricsLocationReachesTheRoute() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2)
        defer { pool.stop() }
        let client = pool.client()
        let scrape = try client.send("GET", "/metrics")
        #expect(scrape.status == 200 && scrape.text.contains("tm_http_requests_total"), "\(scrape.status) \(scrape.text.prefix(200))")
        // Every form nginx normalizes to a path starting with /metrics is taken by that one
        // guarded location (EdgeTests: 403 outside the allow-list), so from loopback these
        // are scrapes too; no other location passes /metrics on to the pool.
        for path in ["/metrics/", "/metrics/?x=1", "/%6Detrics/", "//metrics"] {
            let answer = try client.send("GET", path)
            #expect(answer.status == 200 && answer.text.contains("tm_http_requests_total"), "\(path): \(answer.status)")
        }
        let unknown = try client.send("GET", "/no-such-route")
        #expect(unknown.status == 404)
        // Straight to the pool's socket, without nginx: no parameter, no metrics.
        let fastcgi = try FastCGIClient(socketPath: pool.socketPath)
        try fastcgi.sendGet("/metrics")
        let direct = try fastcgi.readResponse()
        #expect(direct.status == 404 && !direct.body.contains("tm_http_requests_total"), "\(direct)")
    }

    @Test func aTokenIsRequiredWhenOneIsSet() throws {
        let token = "scrape-" + UUID().uuidString
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, environment: ["TM_METRICS_TOKEN": token])
        defer { pool.stop() }
        let client = pool.client()
        for headers in [
            [:], ["Authorization": "Bearer wrong-\(token)"], ["Authorization": "Bearer " + String(token.dropLast())],
            ["Authorization": "Basic " + token], ["Authorization": token],
        ] as [[String: String]] {
            let refused = try client.send("GET", "/metrics", headers: headers)
            #expect(refused.status == 401, "\(headers): \(refused.status)")
            #expect(refused.header("www-authenticate") == "Bearer", "\(headers)")
            #expect(refused.header("content-type") == "application/problem+json", "\(headers)")
            #expect(!refused.text.contains(token), "\(headers)")
        }
        let scrape = try client.send("GET", "/metrics", headers: ["Authorization": "Bearer " + token])
        #expect(scrape.status == 200 && scrape.text.contains("tm_http_requests_total"), "\(scrape.status)")
        let lowerCase = try client.send("GET", "/metrics", headers: ["Authorization": "bearer " + token])
        #expect(lowerCase.status == 200)
        // Every form of the path needs the token; the token is never logged.
        #expect(try client.send("GET", "/metrics/").status == 401)
        #expect(try client.send("GET", "/metrics/", headers: ["Authorization": "Bearer " + token]).status == 200)
        #expect(!pool.logText.contains(token))
    }
}
