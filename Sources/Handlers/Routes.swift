import Models
import TMFcgi

/// The API's route table: every route is added with its ``Access``, and authentication and
/// the permission check run before the handler (and before its body is read). Answers for an
/// authenticated caller get `Cache-Control: no-store` unless the handler set its own.
public struct Routes {
    /// The router being built.
    public private(set) var router = Router<AppContext>()
    let authenticator: Authenticator

    /// An empty table whose non-public routes authenticate with `authenticator`.
    public init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    /// Adds `handler` for `method` and `path`, callable as `access` allows.
    public mutating func on<Output: ResponseGenerator>(
        _ method: HTTPMethod, _ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
        use handler: @escaping @Sendable (Request, AppContext) throws -> Output
    ) {
        let authenticator = self.authenticator
        let permission: Permission, needsSession: Bool
        switch access {
        case .anyone:
            router.on(method, path, options: options, use: handler)
            return
        case .caller(let required): (permission, needsSession) = (required, false)
        case .session(let required): (permission, needsSession) = (required, true)
        }
        router.on(method, path, options: options) { request, context -> Response in
            let principal = try authenticator.authenticate(request)
            request.logFields.append(("user_id", String(principal.userID)))
            if needsSession { _ = try principal.requireSession() }
            guard principal.role.allows(permission) else {
                throw Problem(.forbidden, detail: "Your role (\(principal.role.rawValue)) does not allow this (\(permission.rawValue) permission required).")
            }
            var context = context
            context.principal = principal
            var response = try handler(request, context).response(for: request)
            // Answers for an authenticated caller are theirs alone: no shared cache may keep them.
            if !response.headers.contains("Cache-Control") { response.headers.add("Cache-Control", "no-store") }
            return response
        }
    }

    /// `GET path`.
    public mutating func get<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
                                                        use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.get, path, access, options: options, use: handler)
    }

    /// `POST path`.
    public mutating func post<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
                                                         use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.post, path, access, options: options, use: handler)
    }

    /// `PUT path`.
    public mutating func put<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
                                                        use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.put, path, access, options: options, use: handler)
    }

    /// `PATCH path`.
    public mutating func patch<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
                                                          use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.patch, path, access, options: options, use: handler)
    }

    /// `DELETE path`.
    public mutating func delete<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(),
                                                           use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.delete, path, access, options: options, use: handler)
    }
}
