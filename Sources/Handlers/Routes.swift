import Models
import TMFcgi

/// The API's route table: every route is added with its access (``RouteAccess``) and its
/// ``RouteDoc``. Public routes go on the router as they are; the others go on the
/// authenticated group, whose ``AuthMiddleware`` authenticates the caller and whose
/// ``PermissionMiddleware`` checks the route's access before the handler runs (and before
/// its body is read), and whose handlers take an ``AuthenticatedContext``. The OpenAPI
/// document is built from this table.
public struct Routes {
    /// The router being built.
    public private(set) var router = Router<AppContext>()
    /// Every route with its documentation, in registration order.
    public private(set) var documented: [DocumentedRoute] = []
    /// The routes that need a caller.
    let authenticated: RouterGroup<AppContext, AuthenticatedContext>

    /// A registered route as the documentation sees it.
    public struct DocumentedRoute {
        /// The method.
        public var method: HTTPMethod
        /// The path pattern (`:name` segments).
        public var path: String
        /// Who may call it.
        public var access: Access
        /// What was said about it.
        public var doc: RouteDoc
        /// The success status (from the doc, else from the handler's type).
        public var status: Int?
        /// The success body's type (from the doc, else from the handler's type).
        public var body: (any Decodable.Type)?
    }

    /// An empty table whose non-public routes authenticate with `authenticator`.
    public init(authenticator: Authenticator) {
        authenticated = router.group().add(middleware: AuthMiddleware(authenticator: authenticator))
    }

    /// Adds `handler` for `method` and `path`, callable as `access` allows.
    public mutating func on<Route: RouteAccess, Output: ResponseGenerator>(
        _ method: HTTPMethod, _ path: String, _ access: Route, options: RouteOptions = RouteOptions(), doc: RouteDoc,
        use handler: @escaping @Sendable (Request, Route.Context) throws -> Output
    ) {
        var status = doc.status
        var body = doc.response
        if let output = Output.self as? any DocumentedOutput.Type {
            status = status ?? output.documentedStatus
            body = body ?? output.documentedBody
        } else if let decodable = Output.self as? any Decodable.Type {
            status = status ?? 200
            body = body ?? decodable
        }
        documented.append(DocumentedRoute(method: method, path: path, access: access.access, doc: doc, status: status, body: body))
        access.group(of: self).on(method, path, options: options, in: &router, use: handler)
    }

    /// `GET path`.
    public mutating func get<Route: RouteAccess, Output: ResponseGenerator>(
        _ path: String, _ access: Route, options: RouteOptions = RouteOptions(), doc: RouteDoc,
        use handler: @escaping @Sendable (Request, Route.Context) throws -> Output
    ) {
        on(.get, path, access, options: options, doc: doc, use: handler)
    }

    /// `POST path`.
    public mutating func post<Route: RouteAccess, Output: ResponseGenerator>(
        _ path: String, _ access: Route, options: RouteOptions = RouteOptions(), doc: RouteDoc,
        use handler: @escaping @Sendable (Request, Route.Context) throws -> Output
    ) {
        on(.post, path, access, options: options, doc: doc, use: handler)
    }
}
