import Foundation
import TestSupport
import Testing

/// Pages and pictures render in Chromium as nginx serves them, headers included (issue 26):
/// Chromium asks a proxy that adds the caller's Authorization and passes nginx's answer on
/// unchanged, so each kind of answer is drawn under the Content-Security-Policy it is served
/// with. A policy that blocks what the page needs shows as a violation in the console; one
/// that allows more than it needs is caught by the header checks.
@Suite(.serialized) struct ServedPagesTests {
    let sx: StrategyFixtures

    init() throws {
        sx = try StrategyFixtures()
    }

    @Test func everyKindOfPageRendersUnderItsOwnPolicy() throws {
        let (_, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        let run = try #require(
            try sx.client.send(
                "POST", "/api/v1/analysis/backtest", headers: auth,
                json: ["strategy_id": strategy, "dataset_id": dataset, "symbol": "AAA", "benchmark": ["dataset_id": dataset, "symbol": "AAA"]]
            ).json["run_id"] as? Int)
        let port = try PrivatePool.freePort()
        let proxy = try Subprocess.spawn(
            ["/usr/bin/python3", sx.stack.repo + "/Tests/TestSupport/auth-proxy.py", String(port), sx.stack.baseURL, auth["Authorization"] ?? ""],
            environment: ProcessInfo.processInfo.environment, outputPath: NSTemporaryDirectory() + "tm-auth-proxy-\(port).log")
        defer {
            kill(proxy, SIGTERM)
            _ = Subprocess.wait(proxy, seconds: 5)
        }
        let proxied = TestHTTPClient(port: port)
        // Python's start can take seconds on a busy machine.
        let deadline = Date().addingTimeInterval(30)
        while (try? proxied.send("GET", "/health", body: [])) == nil, Date() < deadline { usleep(100_000) }

        // Each page, the policy it must be served with (no script where none is needed), and
        // how many distinct pixel rows a rendering has at least (a blank page has one).
        let pages: [(path: String, policy: [String], forbidden: [String], rows: Int)] = [
            ("/api/v1/runs/\(run)/report.html", ["style-src 'unsafe-inline'", "img-src data:"], ["script-src"], 200),
            ("/api/v1/runs/\(run)/equity.svg?width=800&height=300", ["default-src 'none'"], ["script-src", "unsafe-inline"], 50),
            ("/api/v1/data/datasets/\(dataset)/chart.svg?width=960&height=540", ["default-src 'none'"], ["script-src", "unsafe-inline"], 50),
            ("/api/v1/docs", ["script-src 'self'"], ["unsafe-eval", "script-src 'self' 'unsafe-inline'"], 50),
            ("/api/v1/redoc", ["script-src 'self'"], ["unsafe-eval", "script-src 'self' 'unsafe-inline'"], 50),
            ("/api/v1/auth/me", ["default-src 'none'"], ["script-src", "unsafe-inline"], 2),
        ]
        let scratch = NSTemporaryDirectory() + "tm-served-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (index, page) in pages.enumerated() {
            let served = try proxied.send("GET", page.path, body: [])
            #expect(served.status == 200, "\(page.path): \(served.status) \(served.text.prefix(200))")
            let policy = try #require(served.header("content-security-policy"), "\(page.path)")
            for needed in page.policy { #expect(policy.contains(needed), "\(page.path): \(policy)") }
            for extra in page.forbidden { #expect(!policy.contains(extra), "\(page.path) allows \(extra): \(policy)") }
            #expect(policy.contains("frame-ancestors 'none'"), "\(page.path)")
            let png = scratch + "/page\(index).png"
            let shot = try Chromium.screenshot(url: "http://127.0.0.1:\(port)\(page.path)", to: png, width: 1000, height: 800, scratch: scratch)
            #expect(shot.status == 0, "\(page.path): \(shot.output)")
            // A violation of our own content (an inline style, a script of ours) is a failure;
            // a blocked load from another origin is the policy at work (ReDoc's footer asks for
            // a logo on cdn.redoc.ly: nothing here may load from a third party).
            let violations = shot.output.split(separator: "\n").filter { $0.contains("violates the following Content Security Policy") }
            let ours = violations.filter { !$0.contains("'https://") || $0.contains("'http://127.0.0.1:\(port)") }
            #expect(ours.isEmpty, "\(page.path): \(ours)")
            let (width, _, rows) = try PNGInspection.inspect(png)
            #expect(width == 1000 && rows >= page.rows, "\(page.path): \(rows) distinct rows")
        }
    }
}
