import Models
import TMFcgi

/// The API's route table: every route is added with its ``Access`` and its ``RouteDoc``, and
/// authentication and the permission check run before the handler (and before its body is
/// read). Answers for an authenticated caller get `Cache-Control: no-store` unless the
/// handler set its own. The OpenAPI document is built from this table.
public struct Routes {
    /// The router being built.
    public private(set) var router = Router<AppContext>()
    /// Every route with its documentation, in registration order.
    public private(set) var documented: [DocumentedRoute] = []
    let authenticator: Authenticator

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
        self.authenticator = authenticator
    }

    /// Adds `handler` for `method` and `path`, callable as `access` allows.
    public mutating func on<Output: ResponseGenerator>(
        _ method: HTTPMethod, _ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
        use handler: @escaping @Sendable (Request, AppContext) throws -> Output
    ) {
        var status = doc.status, body = doc.response
        if let output = Output.self as? any DocumentedOutput.Type {
            status = status ?? output.documentedStatus
            body = body ?? output.documentedBody
        } else if let decodable = Output.self as? any Decodable.Type {
            status = status ?? 200
            body = body ?? decodable
        }
        documented.append(DocumentedRoute(method: method, path: path, access: access, doc: doc, status: status, body: body))
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
    public mutating func get<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
                                                        use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.get, path, access, options: options, doc: doc, use: handler)
    }

    /// `POST path`.
    public mutating func post<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
                                                         use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.post, path, access, options: options, doc: doc, use: handler)
    }

    /// `PUT path`.
    public mutating func put<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
                                                        use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.put, path, access, options: options, doc: doc, use: handler)
    }

    /// `PATCH path`.
    public mutating func patch<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
                                                          use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.patch, path, access, options: options, doc: doc, use: handler)
    }

    /// `DELETE path`.
    public mutating func delete<Output: ResponseGenerator>(_ path: String, _ access: Access, options: RouteOptions = RouteOptions(), doc: RouteDoc,
                                                           use handler: @escaping @Sendable (Request, AppContext) throws -> Output) {
        on(.delete, path, access, options: options, doc: doc, use: handler)
    }
}
