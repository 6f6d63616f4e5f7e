import Models
import TMFcgi

/// Authentication of the API's authenticated route group: the caller from the request's
/// credentials (401 without valid ones, 503 when Redis is down) before the handler reads the
/// body, their id in the request's log line, and the handler called with an
/// ``AuthenticatedContext``. Its answers are the caller's alone: `Cache-Control: no-store`
/// unless the handler set its own.
struct AuthMiddleware: Middleware {
    let authenticator: Authenticator

    func handle(_ request: Request, context: AppContext, next: (Request, AuthenticatedContext) throws -> Response) throws -> Response {
        let principal = try authenticator.authenticate(request)
        request.logFields.append(("user_id", String(principal.userID)))
        var response = try next(request, AuthenticatedContext(context: context, principal: principal))
        if !response.headers.contains("Cache-Control") { response.headers.add("Cache-Control", "no-store") }
        return response
    }
}
