import Foundation
import TestSupport
import Testing

/// The load balancer of a multi-host deployment (nginx/balancer.conf.template, rendered by
/// nginx/render-balancer), run in front of two upstreams: the test stack's nginx and a
/// broken app host that reads each request and closes the connection without answering (an
/// app host dying mid-request). A GET is retried on the live host; a POST that reached the
/// broken one is not (it may have been applied): the client gets the balancer's own 502
/// problem. The client's X-Forwarded-For is replaced by its real address.
@Suite(.serialized) struct BalancerTests {
    final class Balancer {
        let directory: String
        let port: Int
        let broken: ScriptedServer

        init(stack: TestStack) throws {
            broken = try ScriptedServer([])
            port = try PrivatePool.freePort()
            directory = NSTemporaryDirectory() + "tm-balancer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory + "/temp", withIntermediateDirectories: true)
            _ = chmod(directory, 0o755)
            // The broken host first: round robin sends it the first request. MAX_FAILS high, so
            // it stays in rotation and every request below meets it in turn.
            let render = try TestStack.run([
                stack.repo + "/nginx/render-balancer", directory + "/conf",
                "APP_HOSTS=127.0.0.1:\(broken.port) 127.0.0.1:\(stack.port)", "PID=\(directory)/nginx.pid",
                "TEMP_DIR=\(directory)/temp", "LISTEN_HTTP=127.0.0.1:\(port)", "WORKERS=1", "MAX_FAILS=1000",
                "ERROR_LOG=\(directory)/error.log", "ACCESS_LOG=\(directory)/access.log",
            ])
            try #require(render.status == 0, "render-balancer: \(render.output)")
            let start = try TestStack.run(["nginx", "-p", directory, "-c", directory + "/conf/nginx.conf", "-e", directory + "/error.log"])
            try #require(start.status == 0, "nginx: \(start.output)")
        }

        func stop() {
            _ = try? TestStack.run(["nginx", "-p", directory, "-c", directory + "/conf/nginx.conf", "-e", directory + "/error.log", "-s", "stop"])
            broken.close()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// The access log's lines, once nginx has written them (buffered: flushed at stop).
        func log() throws -> [[String: Any]] {
            let text = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    @Test func getsAreRetriedOnTheLiveHostAndPostsAreNot() throws {
        let stack = try TestStack.current()
        let balancer = try Balancer(stack: stack)
        defer { balancer.stop() }
        let client = TestHTTPClient(port: balancer.port)

        var gets: [Int] = []
        for _ in 0..<6 { gets.append(try client.send("GET", "/health", body: []).status) }
        #expect(gets == Array(repeating: 200, count: 6), "\(gets)")
        let triedBroken = balancer.broken.requests.filter { $0.hasPrefix("GET /health") }.count
        #expect(triedBroken >= 1, "the broken host was tried, and the GET retried on the live one")

        var posts: [TestResponse] = []
        for _ in 0..<6 {
            posts.append(
                try client.send(
                    "POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"],
                    body: Array(#"{"username":"nobody-here","password":"Wrong-Password-1"}"#.utf8)))
        }
        let statuses = posts.map(\.status)
        let refused = posts.filter { $0.status == 502 }
        #expect(!refused.isEmpty && statuses.contains(401) && statuses.allSatisfy { [401, 502].contains($0) }, "\(statuses)")
        // Every 502 is a POST the broken host received, never re-sent to the live one.
        #expect(balancer.broken.requests.filter { $0.hasPrefix("POST /api/v1/auth/login") }.count == refused.count)
        for response in refused {
            #expect(response.header("content-type") == "application/problem+json")
            #expect((response.json["detail"] as? String)?.contains("never sent to another") == true, "\(response.text)")
        }
    }

    @Test func theClientsOwnAddressReplacesWhatItClaims() throws {
        let stack = try TestStack.current()
        let balancer = try Balancer(stack: stack)
        defer { balancer.stop() }
        let client = TestHTTPClient(port: balancer.port)
        for _ in 0..<2 { _ = try client.send("GET", "/health", headers: ["X-Forwarded-For": "203.0.113.9"], body: []) }
        let head = try #require(balancer.broken.requests.first { $0.hasPrefix("GET /health") })
        let forwarded = head.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("x-forwarded-for:") }
        #expect(forwarded == ["X-Forwarded-For: 127.0.0.1"], "\(head)")
        #expect(head.contains("X-Request-ID: "), "a request id is passed on")
    }
}
