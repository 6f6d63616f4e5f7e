import Foundation
import TestSupport
import Testing

/// The one nginx template (nginx/trademaster.conf.template): rendered with production values
/// it passes `nginx -t`, and run on loopback ports with a throwaway certificate it does what
/// it promises. The test stack itself runs the same template (EdgeTests).
@Suite(.serialized) struct NginxConfigTests {
    let stack: TestStack
    let scratch: String
    init() throws {
        stack = try TestStack.current()
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tm-nginx-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch + "/log", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/prefix", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/run", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/nginx", withIntermediateDirectories: true)
    }

    func render(into directory: String, _ values: [String: String]) throws {
        let result = try TestStack.run([stack.repo + "/nginx/render", directory] + values.map { "\($0.key)=\($0.value)" })
        #expect(result.status == 0, "\(result.output)")
    }

    func nginxTest(_ config: String) throws -> (status: Int32, output: String) {
        try TestStack.run(["nginx", "-t", "-e", scratch + "/log/error.log", "-p", scratch + "/prefix", "-c", config])
    }

    /// The real-time pieces every config needs: a key file and the publisher socket (in the
    /// scratch folder).
    func realtimeValues() throws -> [String: String] {
        let keyFile = scratch + "/realtime-secret.conf"
        try "map $tm_request_id $tm_realtime_secret { default \"0123456789abcdef0123456789abcdef\"; }\n"
            .write(toFile: keyFile, atomically: true, encoding: .utf8)
        return ["REALTIME_SECRET_CONF": keyFile, "PUBLISH_SOCKET": scratch + "/run/publish.sock"]
    }

    /// Production values (as scripts/install passes them) on loopback ports: plain HTTP only
    /// redirects (and answers ACME challenges), no address is exempt from the limits.
    func productionValues(upstream: String, http: Int, https: Int) throws -> [String: String] {
        let certificate = try TestStack.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", scratch + "/key.pem", "-out", scratch + "/cert.pem",
        ])
        #expect(certificate.status == 0, "\(certificate.output)")
        try FileManager.default.createDirectory(atPath: scratch + "/acme/.well-known/acme-challenge", withIntermediateDirectories: true)
        try "token-proof\n".write(toFile: scratch + "/acme/.well-known/acme-challenge/abc", atomically: true, encoding: .utf8)
        return [
            "SERVER_NAME": "localhost", "CERT": scratch + "/cert.pem", "CERT_KEY": scratch + "/key.pem",
            "UPSTREAM": upstream, "LISTEN_HTTP": "127.0.0.1:\(http) [::1]:\(http)", "LISTEN_HTTPS": "127.0.0.1:\(https) [::1]:\(https)",
            "HTTPS_ONLY": "1", "ACME_ROOT": scratch + "/acme", "LOG_DIR": scratch + "/log", "PID": scratch + "/nginx.pid",
            "TEMP_DIR": scratch + "/nginx", "DOCS": scratch + "/docs", "CORS_ORIGINS": "https://localhost",
            "USER": getuid() == 0 ? "root" : "",
        ]
        .merging(try realtimeValues()) { $1 }
    }

    @Test func productionValuesPassNginxTest() throws {
        try render(into: scratch + "/prod", try productionValues(upstream: "unix:" + scratch + "/tm.sock", http: 18998, https: 18997))
        let result = try nginxTest(scratch + "/prod/nginx.conf")
        #expect(result.status == 0, "\(result.output)")
        let text = try String(contentsOfFile: scratch + "/prod/nginx.conf", encoding: .utf8)
        #expect(text.contains("ssl_protocols TLSv1.2 TLSv1.3;"))
        #expect(text.contains("load_module /usr/lib/nginx/modules/ngx_nchan_module.so;"))
        #expect(!text.contains("0123456789abcdef"), "the real-time key stays in its own file")
        // The pool's hard deadline (TM_REQUEST_TIMEOUT_MS 60000 by default) is nginx's read timeout.
        let fastcgi = try String(contentsOfFile: scratch + "/prod/snippets/tm-fastcgi.conf", encoding: .utf8)
        #expect(fastcgi.contains("fastcgi_read_timeout 60s;"))
        var values = try productionValues(upstream: "unix:" + scratch + "/tm.sock", http: 18998, https: 18997)
        values["REQUEST_TIMEOUT_S"] = "7"
        try render(into: scratch + "/deadline", values)
        #expect(try String(contentsOfFile: scratch + "/deadline/snippets/tm-fastcgi.conf", encoding: .utf8).contains("fastcgi_read_timeout 7s;"))
        values["REQUEST_TIMEOUT_S"] = "7s;"
        let bad = try TestStack.run([stack.repo + "/nginx/render", scratch + "/deadline-bad"] + values.map { "\($0.key)=\($0.value)" })
        #expect(bad.status != 0 && bad.output.contains("REQUEST_TIMEOUT_S"), "\(bad.output)")
        // nchan's replay window and store: 300 s and 128 MiB by default, set by the render's
        // values (the scripts derive REALTIME_REPLAY_S from TM_REALTIME_REPLAY_SECONDS), numbers only.
        let publisher = try String(contentsOfFile: scratch + "/prod/snippets/tm-realtime-publisher.conf", encoding: .utf8)
        #expect(publisher.contains("nchan_message_timeout 300s;") && publisher.contains("nchan_stub_status;"))
        #expect(
            try String(contentsOfFile: scratch + "/prod/snippets/tm-realtime-http.conf", encoding: .utf8).contains("nchan_shared_memory_size 128m;"))
        values["REQUEST_TIMEOUT_S"] = "7"
        values["REALTIME_REPLAY_S"] = "900"
        values["REALTIME_MEMORY_MB"] = "256"
        try render(into: scratch + "/replay", values)
        #expect(
            try String(contentsOfFile: scratch + "/replay/snippets/tm-realtime-publisher.conf", encoding: .utf8).contains(
                "nchan_message_timeout 900s;"))
        #expect(
            try String(contentsOfFile: scratch + "/replay/snippets/tm-realtime-http.conf", encoding: .utf8).contains("nchan_shared_memory_size 256m;")
        )
        #expect(try nginxTest(scratch + "/replay/nginx.conf").status == 0)
        for (name, value) in [("REALTIME_REPLAY_S", "5m"), ("REALTIME_MEMORY_MB", "64m;")] {
            var wrong = values
            wrong[name] = value
            let refused = try TestStack.run([stack.repo + "/nginx/render", scratch + "/replay-bad"] + wrong.map { "\($0.key)=\($0.value)" })
            #expect(refused.status != 0 && refused.output.contains(name), "\(refused.output)")
        }
    }

    /// One template: no other nginx configuration of the app is kept in nginx/ (the only
    /// other is the load balancer's, for a host of its own, which has none of the app's
    /// locations), and a second render of the same values rewrites no file (the install's
    /// second run changes nothing).
    @Test func oneTemplateAndRenderingIsIdempotent() throws {
        let templates = try FileManager.default.contentsOfDirectory(atPath: stack.repo + "/nginx").filter {
            $0.hasSuffix(".template") || $0.hasSuffix(".conf")
        }
        #expect(templates.sorted() == ["balancer.conf.template", "trademaster.conf.template"], "\(templates)")
        let balancer = try String(contentsOfFile: stack.repo + "/nginx/balancer.conf.template", encoding: .utf8)
        #expect(!balancer.contains("fastcgi_pass") && !balancer.contains("nchan_") && !balancer.contains("limit_req"))
        let values = try productionValues(upstream: "unix:" + scratch + "/tm.sock", http: 18998, https: 18997)
        try render(into: scratch + "/twice", values)
        func mtimes() throws -> [String: Date] {
            var result: [String: Date] = [:]
            for sub in ["", "/snippets", "/site"] {
                for file in try FileManager.default.contentsOfDirectory(atPath: scratch + "/twice" + sub) where file.hasSuffix(".conf") {
                    result[sub + "/" + file] =
                        try FileManager.default.attributesOfItem(atPath: scratch + "/twice" + sub + "/" + file)[.modificationDate] as? Date
                }
            }
            return result
        }
        let before = try mtimes()
        usleep(20_000)
        try render(into: scratch + "/twice", values)
        #expect(try mtimes() == before)
        #expect(before.count > 15, "\(before.keys.sorted())")
        try render(into: scratch + "/twice", values.merging(["METRICS_ALLOW": "10.0.0.0/8"]) { $1 })
        let after = try mtimes()
        #expect(after.filter { before[$0.key] != $0.value }.map(\.key) == ["/site/metrics-allow.conf"])
    }

    /// nginx never talks to Redis: nchan 1.3.6's Redis client, after a Redis outage, wrote
    /// Redis commands (other users' events) into descriptors reused by client connections.
    /// Channels live in nchan's memory store, fed by `tm relay`.
    @Test func nchanHasNoRedisInAnyConfig() throws {
        for folder in [stack.repo + "/nginx", stack.repo + "/nginx/snippets"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".conf") || file.hasSuffix(".template") {
                let directives = try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") }
                #expect(!directives.contains { $0.hasPrefix("nchan_redis") || $0.hasPrefix("nchan_use_redis") }, "\(file)")
            }
        }
    }

    @Test func renderRefusesMissingAndUnsafeValues() throws {
        let missing = try TestStack.run([stack.repo + "/nginx/render", scratch + "/partial", "UPSTREAM=unix:/x.sock"])
        #expect(missing.status != 0 && missing.output.contains("PID is required"), "\(missing.output)")
        var values = try productionValues(upstream: "unix:/x.sock", http: 18998, https: 18997)
        values["METRICS_ALLOW"] = "10.0.0.1;deny"
        let unsafe = try TestStack.run([stack.repo + "/nginx/render", scratch + "/partial"] + values.map { "\($0.key)=\($0.value)" })
        #expect(unsafe.status != 0 && unsafe.output.contains("unsafe item"), "\(unsafe.output)")
        values["METRICS_ALLOW"] = "127.0.0.1"
        values["CERT"] = ""
        let noCertificate = try TestStack.run([stack.repo + "/nginx/render", scratch + "/partial"] + values.map { "\($0.key)=\($0.value)" })
        #expect(noCertificate.status != 0 && noCertificate.output.contains("needs CERT"), "\(noCertificate.output)")
    }

    @Test func productionConfigBehaviour() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 4)
        defer { pool.stop() }
        let http = try freePort()
        let https = try freePort()
        try render(into: scratch + "/live", try productionValues(upstream: "unix:" + pool.socketPath, http: http, https: https))
        let started = try TestStack.run(["nginx", "-e", scratch + "/log/error.log", "-p", scratch + "/prefix", "-c", scratch + "/live/nginx.conf"])
        #expect(started.status == 0, "\(started.output)")
        defer {
            if let pid = try? String(contentsOfFile: scratch + "/nginx.pid", encoding: .utf8),
                let value = pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(value, SIGTERM)
            }
        }
        let base = "https://localhost:\(https)"
        func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try TestStack.run(
                [
                    "curl", "-sk", "--resolve", "localhost:\(https):127.0.0.1", "--resolve", "localhost:\(http):127.0.0.1",
                    "--max-time", "10",
                ] + arguments)
        }

        // TLS 1.2 and 1.3 only.
        let tls12 = try curl(["-o", "/dev/null", "-w", "%{http_code}", "--tlsv1.2", "--tls-max", "1.2", base + "/health"])
        #expect(tls12.output == "200", "\(tls12.output)")
        let tls11 = try TestStack.run([
            "openssl", "s_client", "-connect", "127.0.0.1:\(https)", "-tls1_1",
            "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "localhost",
        ])
        #expect(tls11.status != 0, "TLS 1.1 handshake succeeded: \(tls11.output.prefix(300))")

        // HSTS and security headers on app responses and on nginx's own errors.
        for path in ["/health", "/_diag/sleep?ms=1"] {
            let headers = try curl(["-D", "-", "-o", "/dev/null", base + path]).output.lowercased()
            #expect(headers.contains("strict-transport-security: max-age=63072000; includesubdomains"), "\(path): \(headers)")
            #expect(headers.contains("x-content-type-options: nosniff"), "\(path)")
            #expect(headers.contains("x-request-id: "), "\(path)")
        }
        // /metrics: loopback may scrape; another address (127.0.0.2, still this machine) is
        // refused by nginx with a problem, before the pool is asked.
        let scrape = try curl(["-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"])
        #expect(scrape.output == "200", "\(scrape.output)")
        let outsider = try TestStack.run([
            "curl", "-sk", "--interface", "127.0.0.2", "--resolve", "localhost:\(https):127.0.0.1",
            "-D", "-", base + "/metrics",
        ])
        #expect(outsider.output.hasPrefix("HTTP/2 403") || outsider.output.hasPrefix("HTTP/1.1 403"), "\(outsider.output)")
        #expect(outsider.output.contains("application/problem+json"))
        #expect(!outsider.output.contains("tm_http_requests_total"))
        let diag = try curl(["-D", "-", base + "/_diag/sleep?ms=1"]).output
        #expect(diag.contains("404") && diag.contains("application/problem+json"), "\(diag)")
        #expect(diag.lowercased().components(separatedBy: "x-request-id:").count == 2, "one X-Request-ID header")

        // Real-time: subscribing needs a signed ticket (403 problem without); the publisher is
        // only on its unix socket, never on the public server.
        let unsigned = try curl(["-D", "-", "-o", "/dev/null", "-H", "Accept: text/event-stream", base + "/api/v1/realtime/channels/user:1"]).output
        #expect(unsigned.contains(" 403") && unsigned.contains("application/problem+json"), "\(unsigned)")
        let publish = try curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data", "{}", base + "/_tm/realtime/publish/user:1"])
        #expect(publish.output != "201" && publish.output != "202", "\(publish.output)")
        let onSocket = try TestStack.run([
            "curl", "-s", "--unix-socket", scratch + "/run/publish.sock", "-o", "/dev/null", "-w", "%{http_code}",
            "-X", "POST", "-H", "Content-Type: application/json", "--data", "{}",
            "http://localhost/_tm/realtime/publish/user:999999999",
        ])
        #expect(onSocket.output == "201" || onSocket.output == "202", "\(onSocket.output)")

        // Plain HTTP redirects, except certbot's webroot challenges.
        let redirect = try curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://localhost:\(http)/health"])
        #expect(redirect.output.hasPrefix("301 https://localhost"), "\(redirect.output)")
        let metricsOverHTTP = try curl(["-o", "/dev/null", "-w", "%{http_code}", "http://localhost:\(http)/metrics"])
        #expect(metricsOverHTTP.output == "301", "\(metricsOverHTTP.output)")
        let challenge = try curl(["-w", " %{http_code}", "http://localhost:\(http)/.well-known/acme-challenge/abc"])
        #expect(challenge.output == "token-proof\n 200", "\(challenge.output)")

        // CORS: an allowed origin's preflight is answered by nginx; another origin gets nothing.
        let preflight = try curl([
            "-D", "-", "-o", "/dev/null", "-X", "OPTIONS", "-H", "Origin: https://localhost",
            "-H", "Access-Control-Request-Method: POST", base + "/api/v1/auth/login",
        ]).output.lowercased()
        #expect(preflight.hasPrefix("http/2 204"), "\(preflight)")
        #expect(preflight.contains("access-control-allow-origin: https://localhost"))
        #expect(preflight.contains("access-control-allow-methods: get, post"))
        let foreign = try curl(["-D", "-", "-o", "/dev/null", "-H", "Origin: https://evil.example", base + "/health"]).output.lowercased()
        #expect(!foreign.contains("access-control-allow-origin"), "\(foreign)")

        // Auth routes are rate limited per address: past the burst, 429 problem+json with Retry-After.
        var limited: String?
        for _ in 0..<30 where limited == nil {
            let answer = try curl(["-D", "-", "-X", "POST", base + "/api/v1/auth/login"]).output
            if answer.hasPrefix("HTTP/2 429") { limited = answer }
        }
        let problem = try #require(limited, "no 429 after 30 quick requests")
        #expect(problem.contains("application/problem+json") && problem.lowercased().contains("retry-after: 1"), "\(problem)")
        #expect(problem.contains("\"status\":429"))

        // Body limits per route: 1m by default.
        let big = scratch + "/big.bin"
        _ = FileManager.default.createFile(atPath: big, contents: Data(count: 2 << 20))
        let tooLarge = try curl(["-D", "-", "-H", "Content-Type: application/json", "--data-binary", "@" + big, base + "/api/v1/anything"]).output
        #expect(tooLarge.contains(" 413") && tooLarge.contains("application/problem+json"), "\(tooLarge.prefix(400))")

        // What nginx rejects itself is problem+json with its status over TLS too (HTTP/1.1:
        // curl sends these exactly as given).
        let rejected: [([String], Int)] = [
            (["--path-as-is", base + "/../../etc/passwd"], 400), ([base + "/%00"], 400), ([base + "/%zz"], 400),
            (["--request-target", "*", base + "/"], 400), (["-X", "get", base + "/health"], 400),
            (["-X", "TRACE", base + "/health"], 405), (["-X", "CONNECT", base + "/"], 405),
            (["-H", "X-Big: " + String(repeating: "b", count: 10_000), base + "/health"], 400),
            ([base + "/" + String(repeating: "a", count: 10_000)], 414),
            (["-H", "Transfer-Encoding: gzip", "--data", "x", base + "/health"], 501),
        ]
        for (arguments, status) in rejected {
            let answer = try curl(["--http1.1", "-D", "-"] + arguments).output
            #expect(
                answer.hasPrefix("HTTP/1.1 \(status)") && answer.contains("application/problem+json")
                    && answer.contains("\"status\":\(status)"), "\(arguments.prefix(2)): \(answer.prefix(300))")
        }
        // The plain-HTTP server and plain HTTP sent to the TLS port (nginx's 497) as well.
        for (port, bytes) in [
            (http, "get / HTTP/1.1\r\nHost: localhost\r\n\r\n"), (http, "GET /../x HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            (https, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ] {
            let answer = try TestHTTPClient(port: port).sendRaw(Array(bytes.utf8))
            #expect(
                answer.status == 400 && answer.header("content-type") == "application/problem+json"
                    && answer.json["status"] as? Int == 400, "\(port) \(bytes.debugDescription): \(answer.status) \(answer.text.prefix(200))")
        }
    }

    func freePort() throws -> Int { try PrivatePool.freePort() }
}
