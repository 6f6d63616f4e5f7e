import Foundation
import TestSupport
import Testing

/// The OpenAPI document through nginx: valid OpenAPI 3.1, true to what the live API answers
/// (schemathesis), and readable in a real browser (Swagger UI, ReDoc in headless Chromium).
@Suite(.serialized) struct APIDocsTests {
    let fx: AuthFixtures
    let venv: String
    let scratch: String

    init() throws {
        fx = try AuthFixtures()
        guard let venv = ProcessInfo.processInfo.environment["TM_TEST_VENV"], !venv.isEmpty else {
            throw TestStack.Missing(description: "TM_TEST_VENV is not set: run the suite with ./scripts/test")
        }
        self.venv = venv
        scratch = NSTemporaryDirectory() + "tm-docs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    @Test func theDocumentIsValidOpenAPI31() throws {
        let response = try fx.client.send("GET", "/api/v1/openapi.json")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let path = scratch + "/openapi.json"
        try Data(response.body).write(to: URL(fileURLWithPath: path))
        let result = try TestStack.run([venv + "/bin/openapi-spec-validator", "--schema", "3.1.0", path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("OK"), "\(result.output)")
    }

    /// schemathesis generates requests for every operation, valid and invalid, and checks
    /// that no answer is a 5xx and every answer matches its documented status, content type
    /// and schema. It runs as a signed-in admin, so authenticated answers are checked too.
    @Test func schemathesisFindsNothing() throws {
        try fx.resetAddressThrottle()
        defer { try? fx.resetAddressThrottle() }
        let admin = try fx.login(try fx.createWithCLI(role: "admin"))
        let result = try TestStack.run(
            [
                venv + "/bin/schemathesis", "run", fx.stack.baseURL + "/api/v1/openapi.json",
                "--url", fx.stack.baseURL, "--header", "Authorization: Bearer \(admin.access)",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,unsupported_method",
                // Logging out, changing the password or ending a session (the stateful phase links
                // GET /auth/sessions to DELETE /auth/sessions/{id}) would end the session every
                // later case runs under; their own suites cover them.
                "--exclude-path", "/api/v1/auth/logout", "--exclude-path", "/api/v1/auth/change-password",
                "--exclude-path", "/api/v1/auth/sessions/{id}",
                // The coverage phase trips a CPython 3.11 bug in hypothesis' lambda descriptions now and
                // then ("AST constructor recursion depth mismatch", a crash of the tool, not a finding).
                "--phases", "examples,fuzzing,stateful",
                // Diagnostics routes exist only in test stacks (sleeping up to a minute is their job).
                "--exclude-path-regex", "^/_diag/",
                "--max-examples", "15", "--seed", "42", "--workers", "2", "--no-color",
                "--generation-database", "none", "--request-timeout", "20",
            ], environment: ["SCHEMATHESIS_HOOKS": ""])
        // The whole report stays in the state's log folder (the failure shows only its end).
        try? result.output.write(toFile: fx.stack.state + "/log/schemathesis.log", atomically: true, encoding: .utf8)
        #expect(result.status == 0, "\(String(result.output.suffix(12_000))) (whole report: \(fx.stack.state)/log/schemathesis.log)")
    }

    /// Renders `path` in headless Chromium with every host but this one unresolvable, so the
    /// page can only work from what nginx serves.
    func render(_ path: String, screenshot: String) throws -> String {
        let url = fx.stack.baseURL + path
        let common = [
            "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1280,1600",
            "--virtual-time-budget=15000", "--user-data-dir=\(scratch)/profile",
        ]
        let shot = try TestStack.run(common + ["--screenshot=\(screenshot)", url])
        #expect(shot.status == 0, "\(shot.output)")
        let dom = try TestStack.run(common + ["--dump-dom", url])
        #expect(dom.status == 0)
        return dom.output
    }

    /// How many distinct rows a PNG has: a blank page has one (see `PNGInspection`).
    func distinctRows(_ png: String) throws -> Int { try PNGInspection.inspect(png).rows }

    @Test func swaggerUIRendersTheDocumentFromThisHostOnly() throws {
        let png = scratch + "/swagger.png"
        let dom = try render("/api/v1/docs", screenshot: png)
        #expect(dom.contains("TradeMaster Web Backend"), "\(dom.prefix(2000))")
        #expect(dom.contains("/api/v1/auth/me"))
        #expect(dom.contains("Authorize"))
        #expect(try distinctRows(png) > 20)
        let page = try fx.client.send("GET", "/api/v1/docs")
        #expect(page.status == 200)
        #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
        #expect(!page.text.contains("http://") && !page.text.contains("https://"))
    }

    @Test func redocRendersTheDocument() throws {
        let png = scratch + "/redoc.png"
        let dom = try render("/api/v1/redoc", screenshot: png)
        #expect(dom.contains("TradeMaster Web Backend"), "\(dom.prefix(2000))")
        #expect(dom.contains("The caller's account"))
        #expect(try distinctRows(png) > 20)
    }
}
