import Logging
import Testing

@testable import TMFcgi

/// Middleware wraps the routes of its group, outermost first, can stop a request, and can
/// hand the handlers a child context.
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

    /// A child context whose `user` is not optional.
    struct UserContext: Sendable {
        var parameters: Parameters
        let user: String
    }

    /// Hands on a ``UserContext`` for an `X-User` header; 401 without one.
    struct RequireUser: Middleware {
        func handle(_ request: Request, context: BasicContext, next: (Request, UserContext) throws -> Response) throws -> Response {
            guard let user = request.headers["X-User"] else { throw Problem(.unauthorized, detail: "Who are you?") }
            return try next(request, UserContext(parameters: context.parameters, user: user))
        }
    }

    func application() -> Application<BasicContext> {
        var router = Router<BasicContext>()
        router.get("/open") { _, _ in Response.json("{}") }
        let guarded = router.group().add(middleware: Tag(name: "outer")).add(middleware: Tag(name: "inner"))
        guarded.on(.get, "/guarded", in: &router) { request, _ in
            Response.json("{\"seen\":\"\(request.logFields.map(\.1).joined(separator: ","))\"}")
        }
        router.group().add(middleware: RequireUser()).on(.get, "/users/:id/greeting", in: &router) { _, context in
            Response.json("{\"hello\":\"\(context.user)\",\"id\":\"\(context.parameters["id"] ?? "")\"}")
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: router, logger: logger)
    }

    @Test func wrapsOnlyTheRoutesOfItsGroup() {
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

    @Test func handsTheHandlerAChildContext() {
        var headers = HTTPHeaders()
        headers.add("X-User", "alice")
        let response = application().respond(to: Request(method: .get, path: "/users/7/greeting", headers: headers))
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"hello\":\"alice\",\"id\":\"7\"}")
        #expect(application().respond(to: Request(method: .get, path: "/users/7/greeting")).status.code == 401)
    }
}
