import TMFcgi

/// Authenticates every route added after it: sets ``AppContext/principal`` and adds
/// `user_id` to the request's log line. Permissions are checked by the handlers with
/// ``AppContext/require(_:)``, against the one table in `Models.Role`. Successful answers
/// get `Cache-Control: no-store` unless the handler set its own.
public struct AuthMiddleware: Middleware {
    let authenticator: Authenticator

    /// Middleware over `authenticator`.
    public init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, context: AppContext, next: (Request, AppContext) throws -> Response) throws -> Response {
        let principal = try authenticator.authenticate(request)
        request.logFields.append(("user_id", String(principal.userID)))
        var context = context
        context.principal = principal
        var response = try next(request, context)
        // Answers for an authenticated caller are theirs alone: no shared cache may keep them.
        if !response.headers.contains("Cache-Control") { response.headers.add("Cache-Control", "no-store") }
        return response
    }
}
