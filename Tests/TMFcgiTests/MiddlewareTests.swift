import Logging
import Testing
@testable import TMFcgi

/// Middleware wraps the routes added after it, outermost first, and can stop a request.
@Suite struct MiddlewareTests {
    struct Tag: Middleware {
        let name: String
        func handle(_ request: Request, context: BasicContext, next: (Request, BasicContext) throws -> Response) throws -> Response {
            if request.headers["X-Block"] == name { throw Problem(.forbidden, detail: "blocked by \(name)") }
            request.logFields.append(("seen", name))
            var response = try next(request, context)
            response.headers.add("X-Trace", name)
            return response
        }
    }

    func application() -> Application<BasicContext> {
        var router = Router<BasicContext>()
        router.get("/open") { _, _ in Response.json("{}") }
        router.add(middleware: Tag(name: "outer"))
        router.add(middleware: Tag(name: "inner"))
        router.get("/guarded") { request, _ in
            Response.json("{\"seen\":\"\(request.logFields.map(\.1).joined(separator: ","))\"}")
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: router, logger: logger)
    }

    @Test func wrapsOnlyRoutesAddedAfterIt() {
        let open = application().respond(to: Request(method: .get, path: "/open"))
        #expect(!open.headers.contains("X-Trace"))
    }

    @Test func runsOutermostFirst() {
        let response = application().respond(to: Request(method: .get, path: "/guarded"))
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"seen\":\"outer,inner\"}")
        #expect(response.headers.map(\.name).filter { $0 == "X-Trace" }.count == 2)
    }

    @Test func canRefuseWithAProblem() {
        var headers = HTTPHeaders()
        headers.add("X-Block", "inner")
        let response = application().respond(to: Request(method: .get, path: "/guarded", headers: headers))
        #expect(response.status.code == 403)
        #expect(response.headers["Content-Type"] == "application/problem+json")
    }
}
