import Foundation
import TestSupport
import Testing

/// The edge as the test stack runs it: the same nginx template as production (rate limits,
/// CORS, the metrics guard, the real client address behind a load balancer). The suite's own
/// traffic comes from 127.0.0.1, which the test profile exempts from the limits; these tests
/// send from other loopback addresses (127.0.0.77 …), which get the limits production has.
/// 127.0.0.9 is the test profile's trusted load balancer (REAL_IP_FROM).
@Suite(.serialized) struct EdgeTests {
    let fx: AuthFixtures
    var stack: TestStack { fx.stack }

    init() throws {
        fx = try AuthFixtures()
    }

    /// curl from `address` against the stack's nginx; the output is what `arguments` ask for.
    func curl(from address: String, _ arguments: [String]) throws -> String {
        let result = try TestStack.run(["curl", "-s", "--max-time", "20", "--interface", address] + arguments)
        #expect(result.status == 0, "curl \(arguments.suffix(1)): \(result.output)")
        return result.output
    }

    /// `count` requests to `path` sent at once (curl --parallel) from `address`: their status
    /// codes, and the answers (headers and body) that were nginx's 429 (the app has throttles
    /// of its own, with other texts).
    func burst(
        from address: String, _ count: Int, _ path: String, method: String = "GET", headers: [String] = [],
        body: String? = nil
    ) throws -> (codes: [Int], limited: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-burst-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // One line per transfer, in the order they end: its index, status, Retry-After and type
        // (curl applies -D to one transfer only, so headers come through -w).
        var arguments = [
            "--parallel", "--parallel-immediate", "--parallel-max", "\(min(count, 300))",
            "-w", "%{urlnum} %{http_code} retry-after:%header{retry-after} content-type:%{content_type}\n", "-X", method,
        ]
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data", body] }
        for index in 0..<count { arguments += ["-o", "\(folder)/\(index).body", stack.baseURL + path] }
        var codes: [Int] = []
        var limited: [String] = []
        for line in try curl(from: address, arguments).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let index = Int(fields[0]), let code = Int(fields[1]) else { continue }
            codes.append(code)
            let body = (try? String(contentsOfFile: "\(folder)/\(index).body", encoding: .utf8)) ?? ""
            if code == 429 && body.contains("Slow down and retry after the time in Retry-After.") { limited.append(fields[2] + "\n" + body) }
        }
        return (codes, limited)
    }

    /// Checks that nginx's 429 answers are problems with Retry-After.
    func expectNginxLimit(_ answers: [String], _ label: String) {
        for answer in answers {
            #expect(
                answer.hasPrefix("retry-after:1 content-type:application/problem+json") && answer.contains("\"status\":429"),
                "\(label): \(answer)")
        }
    }

    @Test func metricsAnswer403OutsideTheAllowListInEveryForm() throws {
        let forms = [
            "/metrics", "/metrics/", "//metrics", "/metrics?x=1", "/%6Detrics", "/%6detrics/", "/METRICS",
            "/Metrics/", "/metrics%2F", "/./metrics", "/api/../metrics", "/metrics;x", "/metrics//",
        ]
        for path in forms {
            let answer = try curl(from: "127.0.0.77", ["--path-as-is", "-D", "-", stack.baseURL + path])
            #expect(answer.hasPrefix("HTTP/1.1 403"), "\(path): \(answer.prefix(200))")
            #expect(answer.contains("application/problem+json") && !answer.contains("tm_http_requests_total"), "\(path)")
        }
        // Over TLS as well, and from the allow-list the scrape works.
        let tls = try curl(from: "127.0.0.77", ["-k", "-o", "/dev/null", "-w", "%{http_code}", "https://localhost:\(stack.httpsPort)/metrics/"])
        #expect(tls == "403", "\(tls)")
        let scrape = try curl(from: "127.0.0.1", ["-w", "\n%{http_code}", stack.baseURL + "/metrics"])
        #expect(scrape.hasSuffix("\n200") && scrape.contains("tm_http_requests_total"), "\(scrape.suffix(200))")
    }

    /// Behind a trusted load balancer the client's address comes from X-Forwarded-For; from
    /// anyone else that header is ignored (it cannot open the allow-list or dodge a limit).
    @Test func realClientAddressComesOnlyFromTheTrustedBalancer() throws {
        let url = stack.baseURL + "/metrics"
        let viaBalancer = try curl(from: "127.0.0.9", ["-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Forwarded-For: 127.0.0.77", url])
        #expect(viaBalancer == "403", "the balancer's client 127.0.0.77 is outside the allow-list: \(viaBalancer)")
        let balancerForLoopback = try curl(from: "127.0.0.9", ["-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Forwarded-For: 127.0.0.1", url])
        #expect(balancerForLoopback == "200", "\(balancerForLoopback)")
        let spoofed = try curl(from: "127.0.0.77", ["-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Forwarded-For: 127.0.0.1", url])
        #expect(spoofed == "403", "an untrusted sender's X-Forwarded-For must be ignored: \(spoofed)")
        // The access log records the real client.
        let marker = "edge-\(UUID().uuidString.prefix(8))"
        _ = try curl(
            from: "127.0.0.9", ["-o", "/dev/null", "-H", "X-Forwarded-For: 127.0.0.66", "-H", "X-Request-ID: \(marker)", stack.baseURL + "/health"])
        var line: Substring?
        for _ in 0..<40 where line == nil {  // the access log is buffered (flush=1s)
            let log = (try? String(contentsOfFile: stack.state + "/log/nginx-access.log", encoding: .utf8)) ?? ""
            line = log.split(separator: "\n").last { $0.contains(marker) }
            if line == nil { usleep(100_000) }
        }
        let entry = try #require(line, "no access-log line for \(marker)")
        #expect(entry.contains("\"remote\":\"127.0.0.66\""), "\(entry)")
    }

    /// Reads are not under the credential limit: 50 GET /auth/me at once from one address all
    /// answer 200 (the old config sent every /auth/ route through 5/s with a burst of 10).
    @Test func fiftyAuthMeAtOnceFromOneAddressAllAnswer200() throws {
        let account = try fx.register(prefix: "edge")
        let tokens = try fx.login(account)
        let (codes, _) = try burst(from: "127.0.0.77", 50, "/api/v1/auth/me", headers: ["Authorization: Bearer \(tokens.access)"])
        #expect(codes.count == 50 && codes.allSatisfy { $0 == 200 }, "\(codes)")
    }

    /// A burst of logins from one address gets 429 problem+json with Retry-After, trailing
    /// slashes or another case included; reads from that address still pass.
    @Test func aBurstOfLoginsGets429() throws {
        let account = try fx.register(prefix: "edge")
        let body = "{\"username\":\"\(account.username)\",\"password\":\"wrong-password-1\"}"
        let (codes, limited) = try burst(from: "127.0.0.78", 30, "/api/v1/auth/login", method: "POST", body: body)
        #expect(codes.count == 30, "\(codes)")
        #expect(limited.count >= 10, "5/s with a burst of 10 lets about 11 of 30 sent at once through: \(codes)")
        expectNginxLimit(limited, "login")
        // Every credential route shares that per-address limit, in any spelling nginx
        // normalizes: the bucket is empty now, so most of a second burst is refused.
        for path in [
            "/api/v1/auth/login/", "/API/v1/auth/Login", "/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/refresh",
            "/api/v1/auth/change-password",
        ] {
            let (again, refused) = try burst(from: "127.0.0.78", 8, path, method: "POST", body: "{}")
            #expect(refused.count >= 5, "\(path): \(again)")
            expectNginxLimit(refused, path)
        }
        // The attacked account is locked by the app's own per-account counting; another
        // account's reads from the same address pass.
        let tokens = try fx.login(try fx.register(prefix: "edge"))
        let me = try curl(
            from: "127.0.0.78",
            [
                "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(tokens.access)",
                stack.baseURL + "/api/v1/auth/me",
            ])
        #expect(me == "200", "reads do not share the credential limit: \(me)")
    }

    /// Routes that start heavy work have a tighter limit for POST; their GETs do not.
    @Test func expensivePostsHaveATighterLimit() throws {
        let (codes, limited) = try burst(from: "127.0.0.79", 30, "/api/v1/analysis/backtest", method: "POST", body: "{}")
        #expect(limited.count >= 10, "2/s with a burst of 10: \(codes)")
        expectNginxLimit(limited, "backtest")
        #expect(codes.filter { $0 != 429 }.allSatisfy { $0 == 401 }, "the others reach the app (no credentials): \(codes)")
        let (reads, _) = try burst(from: "127.0.0.79", 30, "/api/v1/analysis/market-dynamics")
        #expect(reads.allSatisfy { $0 == 401 }, "GETs keep the generous limit: \(reads)")
    }

    /// The general per-address limit holds too: 600 requests sent at once are past 100/s with
    /// a burst of 200 however long they take to arrive (up to 4 s).
    @Test func theGeneralLimitHolds() throws {
        let (codes, limited) = try burst(from: "127.0.0.80", 600, "/health")
        #expect(!limited.isEmpty && codes.filter { $0 == 200 }.count >= 200, "\(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count))")
        expectNginxLimit(Array(limited.prefix(5)), "health")
    }

    /// A browser front end on another origin: the preflight allows If-Match, Idempotency-Key
    /// and Last-Event-ID; answers expose ETag, Location, Idempotent-Replayed, X-Request-ID,
    /// Retry-After. Origins not on the list get no CORS headers.
    @Test func corsPreflightAllowsSafeEditsAndRetries() throws {
        let preflight = try curl(
            from: "127.0.0.77",
            [
                "-D", "-", "-o", "/dev/null", "-X", "OPTIONS", "-H", "Origin: http://localhost:3000",
                "-H", "Access-Control-Request-Method: PATCH",
                "-H", "Access-Control-Request-Headers: if-match, idempotency-key, content-type",
                stack.baseURL + "/api/v1/strategies/1",
            ]
        ).lowercased()
        #expect(preflight.hasPrefix("http/1.1 204"), "\(preflight)")
        #expect(preflight.contains("access-control-allow-origin: http://localhost:3000"))
        #expect(preflight.contains("access-control-allow-methods: get, post, put, patch, delete, options"))
        for header in ["if-match", "idempotency-key", "last-event-id", "authorization", "content-type", "x-api-key"] {
            #expect(
                preflight.contains("access-control-allow-headers: ")
                    && preflight.components(separatedBy: "access-control-allow-headers: ")[1]
                        .prefix(while: { $0 != "\r" }).contains(header),
                "\(header) in \(preflight)")
        }
        let answer = try curl(from: "127.0.0.77", ["-D", "-", "-o", "/dev/null", "-H", "Origin: http://localhost:3000", stack.baseURL + "/health"])
            .lowercased()
        let exposed = answer.components(separatedBy: "access-control-expose-headers: ").dropFirst().first?.prefix(while: { $0 != "\r" }) ?? ""
        for header in ["etag", "location", "idempotent-replayed", "x-request-id", "retry-after"] {
            #expect(exposed.contains(header), "\(header) in \(exposed)")
        }
        let foreign = try curl(
            from: "127.0.0.77",
            [
                "-D", "-", "-o", "/dev/null", "-X", "OPTIONS", "-H", "Origin: https://evil.example",
                "-H", "Access-Control-Request-Method: PATCH", stack.baseURL + "/api/v1/strategies/1",
            ]
        ).lowercased()
        #expect(!foreign.contains("access-control-allow-origin"), "\(foreign)")
    }

    /// Fresh machine: where nothing created nginx's compiled-in /var/lib/nginx/body (as after
    /// `apt-get install nginx` in a container), nginx with nchan refuses to start as the
    /// service user; the stack's ensure_nginx_dirs makes it start. Run in a private mount
    /// namespace with an empty folder over /var/lib/nginx, so the machine is not touched.
    @Test func nginxStartsWhereVarLibNginxIsEmpty() throws {
        let script = """
            set -u
            empty="$(mktemp -d)"; chmod 755 "$empty"
            mount --bind "$empty" /var/lib/nginx || exit 90
            PROFILE=test
            source "$TM_TEST_REPO/scripts/lib/stack.sh"
            setup_user >/dev/null
            STATE="$TM_TEST_STATE"
            check() { "${RUN_AS[@]}" nginx -t -q -e "$STATE/log/nginx-fresh.log" -p "$STATE/nginx" -c "$STATE/nginx-conf/nginx.conf" 2>&1; }
            echo "before: $(ls -A /var/lib/nginx | wc -l) entries"
            if check; then echo "BEFORE-STARTED"; else echo "before: refused"; fi
            ensure_nginx_dirs 2>&1
            if check; then echo "AFTER-STARTED"; else echo "after: refused"; fi
            stat -c 'body %U %a' /var/lib/nginx/body
            """
        let result = try TestStack.run(
            ["unshare", "-m", "--propagation", "private", "bash", "-c", script],
            environment: ["TM_TEST_REPO": stack.repo, "TM_TEST_STATE": stack.state])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("before: 0 entries") && result.output.contains("before: refused"), "\(result.output)")
        #expect(result.output.contains("/var/lib/nginx/body"), "the failure names the folder: \(result.output)")
        #expect(result.output.contains("AFTER-STARTED") && result.output.contains("body www-data 700"), "\(result.output)")
    }
}
