import Testing

@testable import TMFcgi

@Suite struct RouterTests {
    func router() -> Router<BasicContext> {
        var router = Router<BasicContext>()
        router.get("/api/v1/strategies") { _, _ in Response.json("[]") }
        router.post("/api/v1/strategies") { _, _ in Response(status: .created) }
        router.get("/api/v1/strategies/:id") { _, context in Response.json("\"\(context.parameters["id"] ?? "")\"") }
        router.on(.delete, "/api/v1/strategies/:id") { _, _ in NoContent() }
        router.get("/api/v1/strategies/:id/runs/:run") { _, context in
            Response.json("\"\(context.parameters["id"]!)/\(context.parameters["run"]!)\"")
        }
        router.get("/api/v1/strategies/templates") { _, _ in Response.json("\"templates\"") }
        return router
    }

    @Test func literalAndParameterRoutes() throws {
        let router = router()
        guard case .found(_, _, let parameters, _) = router.match(.get, path: "/api/v1/strategies/42") else {
            Issue.record("no match")
            return
        }
        #expect(parameters["id"] == "42")
        guard case .found(_, _, let nested, _) = router.match(.get, path: "/api/v1/strategies/7/runs/9") else {
            Issue.record("no nested match")
            return
        }
        #expect(nested["id"] == "7" && nested["run"] == "9")
        guard case .found(_, _, let none, _) = router.match(.get, path: "/api/v1/strategies/templates") else {
            Issue.record("literal did not win")
            return
        }
        #expect(none["id"] == nil, "a literal segment takes precedence over a parameter")
    }

    @Test func trailingAndDoubleSlashesMatchTheSameRoute() {
        if case .found = router().match(.get, path: "/api/v1/strategies/") {} else { Issue.record("trailing slash") }
        if case .found = router().match(.get, path: "//api/v1//strategies") {} else { Issue.record("double slash") }
    }

    @Test func percentEncodedSegmentsAreDecodedOnce() throws {
        guard case .found(_, _, let parameters, _) = router().match(.get, path: "/api/v1/strategies/a%20b%2Fc") else {
            Issue.record("no match")
            return
        }
        #expect(parameters["id"] == "a b/c")
        if case .notFound = router().match(.get, path: "/api/v1/strategies/%zz") {} else { Issue.record("bad escape must be 404") }
    }

    @Test func unknownPathIsNotFound() {
        if case .notFound = router().match(.get, path: "/api/v2/strategies") {} else { Issue.record("expected 404") }
        if case .notFound = router().match(.get, path: "/api/v1") {} else { Issue.record("inner node without routes is 404") }
    }

    @Test func wrongMethodListsAllowedMethods() {
        guard case .methodNotAllowed(let allowed) = router().match(.put, path: "/api/v1/strategies/1") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.delete, .get, .head, .options])
    }

    @Test func allowedMethodsOfAPath() {
        #expect(router().allowedMethods(path: "/api/v1/strategies/1") == [.delete, .get, .head, .options])
        #expect(router().allowedMethods(path: "/no/such/path") == nil)
    }

    @Test func headUsesTheGetHandler() {
        if case .found = router().match(.head, path: "/api/v1/strategies") {} else { Issue.record("HEAD should match GET") }
    }

    @Test func requireConvertsOr404s() throws {
        var parameters = Parameters()
        parameters.append("id", "17")
        parameters.append("name", "x")
        #expect(try parameters.require("id", as: Int.self) == 17)
        #expect(throws: Problem.self) { try parameters.require("name", as: Int.self) }
        #expect(throws: Problem.self) { try parameters.require("missing", as: String.self) }
    }
}
