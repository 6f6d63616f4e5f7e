import Foundation
import Models
import Synchronization
import TestSupport
import Testing

@testable import CurlHTTP
@testable import TradeMasterAPI

/// The libcurl client against small loopback servers that answer well, badly or not at
/// all. Whatever a server sends, a call returns or throws an ``HTTPClientError``; nothing traps.
@Suite struct HTTPClientTests {
    /// Short limits, so the hostile cases end fast.
    static let client = HTTPClient(timeout: 2, connectTimeout: 1, maxBodyBytes: 1 << 20)

    static func get(_ server: ScriptedServer, path: String = "/x", client: HTTPClient = client) throws(HTTPClientError) -> HTTPClientResponse {
        try client.send(method: "GET", url: "http://127.0.0.1:\(server.port)\(path)")
    }

    /// The error a call throws (nil when it returned a response).
    static func failure(_ call: () throws(HTTPClientError) -> HTTPClientResponse) -> HTTPClientError? {
        do {
            _ = try call()
            return nil
        } catch { return error }
    }

    static func isMalformed(_ error: HTTPClientError?) -> Bool {
        if case .malformedResponse = error { return true }
        return false
    }

    @Test func statusHeadersAndBody() throws {
        let server = try ScriptedServer(
            answer: "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Twice: a\r\n"
                + "X-Twice: b\r\nContent-Length: 11\r\n\r\n{\"a\":1}xxxx")
        defer { server.close() }
        let response = try Self.get(server, path: "/api/TradeMaster/healthcheck?x=1")
        #expect(response.status == 201)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["x-twice"] == "a, b")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"a\":1}xxxx")
        let head = try #require(server.requests.first)
        #expect(head.hasPrefix("GET /api/TradeMaster/healthcheck?x=1 HTTP/1.1\r\n"))
        #expect(head.contains("User-Agent: trademaster-backend\r\n"))
        #expect(!head.lowercased().contains("accept-encoding"), "no compressed answers are asked for")
    }

    @Test func postSendsTheBodyAndHeaders() throws {
        let server = try ScriptedServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        defer { server.close() }
        let body = Array("{\"session_id\":\"a\\u0000b\"}".utf8) + [0, 1, 2]
        let response = try Self.client.send(
            method: "POST", url: "http://127.0.0.1:\(server.port)/api/TradeMaster/train_status",
            headers: [("Content-Type", "application/json")], body: body)
        #expect(response.status == 200)
        let head = try #require(server.requests.first)
        #expect(head.hasPrefix("POST /api/TradeMaster/train_status HTTP/1.1\r\n"))
        #expect(head.contains("Content-Type: application/json\r\n"))
        #expect(head.contains("Content-Length: \(body.count)\r\n"))
        #expect(!head.contains("Expect:"))
    }

    @Test func chunkedBodyIsDecoded() throws {
        let server = try ScriptedServer(answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n")
        defer { server.close() }
        let response = try Self.get(server)
        #expect(String(decoding: response.body, as: UTF8.self) == "abc0123456789")
    }

    @Test(arguments: [
        "-5", "FFFFFFFFFFFFFFFFFFFFFFFF", "7FFFFFFFFFFFFFFF", "-0", "0x10", "zz", "", " ", "+5", "1 2",
    ])
    func badChunkSizesAreErrors(_ size: String) {
        let server = try! ScriptedServer(answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nabcde\r\n0\r\n\r\n")
        defer { server.close() }
        let error = Self.failure { () throws(HTTPClientError) in try Self.get(server) }
        #expect(error != nil, "chunk size \(size) was accepted")
        #expect(Self.isMalformed(error) || error == .responseTooLarge(1 << 20), "\(String(describing: error))")
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",  // truncated body
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",  // truncated chunk
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",  // no last chunk
        "HTTP/1.1 200 OK\r\nContent-Len",  // truncated head
        "HELLO WORLD\r\n\r\n",  // garbage status line
        "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 99999999999999999999 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 -200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        "\u{16}\u{03}\u{01}\u{00}\u{a5}\u{01}\u{00}",  // TLS bytes
        "",  // closed without a word
    ])
    func brokenResponsesAreErrors(_ raw: String) {
        let server = try! ScriptedServer(answer: raw)
        defer { server.close() }
        let error = Self.failure { () throws(HTTPClientError) in try Self.get(server) }
        #expect(error != nil, "accepted: \(raw.debugDescription)")
        #expect(Self.isMalformed(error) || error == .responseTooLarge(1 << 20), "\(raw.debugDescription): \(String(describing: error))")
    }

    @Test func endlessBodyStopsAtTheLimit() {
        // No length, no chunking: the body runs until the server closes, which it never does.
        let server = try! ScriptedServer([.text("HTTP/1.1 200 OK\r\n\r\n"), .repeatForever([UInt8](repeating: 97, count: 65536))])
        defer { server.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(server) } == .responseTooLarge(1 << 20))
        let chunked = try! ScriptedServer([
            .text("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            .repeatForever(Array("FFFF\r\n".utf8) + [UInt8](repeating: 97, count: 0xFFFF) + [13, 10]),
        ])
        defer { chunked.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(chunked) } == .responseTooLarge(1 << 20))
    }

    @Test func announcedHugeBodyIsRefusedBeforeReading() {
        let server = try! ScriptedServer([.text("HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n"), .hold])
        defer { server.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(server) } == .responseTooLarge(1 << 20))
    }

    @Test func hugeHeadersAreAnError() {
        let server = try! ScriptedServer([
            .text("HTTP/1.1 200 OK\r\n"), .repeatForever(Array("X-Pad: \(String(repeating: "p", count: 1000))\r\n".utf8)),
        ])
        defer { server.close() }
        let error = Self.failure { () throws(HTTPClientError) in try Self.get(server) }
        #expect(Self.isMalformed(error), "\(String(describing: error))")
    }

    @Test func slowAndSilentServersTimeOut() {
        let silent = try! ScriptedServer([.hold])
        defer { silent.close() }
        let quick = HTTPClient(timeout: 0.5, connectTimeout: 0.5)
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(silent, client: quick) } == .timeout)
        let dripping = try! ScriptedServer([.text("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"), .drip(interval: 0.05)])
        defer { dripping.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(dripping, client: quick) } == .timeout)
        let slowHead = try! ScriptedServer([.text("HTTP/1.1 200 OK\r\nX-Slow: "), .drip(interval: 0.05)])
        defer { slowHead.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(slowHead, client: quick) } == .timeout)
    }

    @Test func redirectsAreReturnedNotFollowed() throws {
        let server = try ScriptedServer(answer: "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")
        defer { server.close() }
        let response = try Self.get(server)
        #expect(response.status == 302)
        #expect(response.headers["location"] == "file:///etc/passwd")
        #expect(server.requests.count == 1)
    }

    @Test func boundedRedirectsAreFollowedOverHTTPOnly() throws {
        let loop = try ScriptedServer(answer: "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
        defer { loop.close() }
        let following = HTTPClient(timeout: 2, maxRedirects: 3)
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(loop, client: following) } == .malformedResponse("too many redirects"))
        #expect(loop.requests.count == 4)
        let toFile = try ScriptedServer(answer: "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")
        defer { toFile.close() }
        #expect(Self.failure { () throws(HTTPClientError) in try Self.get(toFile, client: following) } != nil)
    }

    @Test func unreachableAndInvalidTargets() throws {
        let port = try PrivatePool.freePort()
        let refused = Self.failure { () throws(HTTPClientError) in try Self.client.send(method: "GET", url: "http://127.0.0.1:\(port)/") }
        guard case .unreachable = refused else {
            Issue.record("refused: \(String(describing: refused))")
            return
        }
        for url in [
            "file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:70/", "127.0.0.1:80", "http://", "",
            "http://127.0.0.1/a b", "http://127.0.0.1/\r\nX: y", "dict://127.0.0.1:6379/info",
        ] {
            let error = Self.failure { () throws(HTTPClientError) in try Self.client.send(method: "GET", url: url) }
            guard case .invalidURL = error else {
                Issue.record("\(url.debugDescription): \(String(describing: error))")
                continue
            }
        }
        for (method, headers) in [("get", []), ("GE T", []), ("GET", [("X-A", "b\r\nX-Injected: 1")]), ("GET", [("X A", "b")])] {
            let error = Self.failure { () throws(HTTPClientError) in
                try Self.client.send(method: method, url: "http://127.0.0.1:\(port)/", headers: headers)
            }
            guard case .invalidRequest = error else {
                Issue.record("\(method) \(headers): \(String(describing: error))")
                continue
            }
        }
    }

    @Test func manyThreadsAtOnce() throws {
        let server = try ScriptedServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        defer { server.close() }
        let group = DispatchGroup()
        let bodies = Mutex<[String]>([])
        for _ in 0..<8 {
            group.enter()
            Thread {
                for _ in 0..<10 {
                    let text = (try? Self.get(server)).map { String(decoding: $0.body, as: UTF8.self) } ?? "error"
                    bodies.withLock { $0.append(text) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(bodies.withLock { $0 } == Array(repeating: "hello", count: 80))
    }
}

/// ``TradeMasterClient`` reads the service's answers as its contract describes them.
@Suite struct TradeMasterClientTests {
    func healthcheck(_ answer: String) throws -> Bool {
        let server = try ScriptedServer(answer: answer)
        defer { server.close() }
        return try TradeMasterClient(baseURL: "http://127.0.0.1:\(server.port)/", timeout: 2).healthcheck()
    }

    static func json(_ status: String, _ body: String) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func healthyWhenErrorCodeIsZero() throws {
        #expect(try healthcheck(Self.json("200 OK", "{\"data\":{},\"error_code\":0,\"info\":\"health check\",\"time_consuming\":0.1}")))
        #expect(try !healthcheck(Self.json("200 OK", "{\"error_code\":1,\"info\":\"boom\"}")))
        #expect(try !healthcheck(Self.json("500 Internal Server Error", "{\"error_code\":0}")))
        #expect(try !healthcheck(Self.json("200 OK", "not json")))
        #expect(try !healthcheck(Self.json("200 OK", "[0]")))
    }

    @Test func brokenAnswersThrowHTTPClientErrors() {
        #expect(throws: HTTPClientError.self) {
            try healthcheck("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabcde\r\n0\r\n\r\n")
        }
    }
}
