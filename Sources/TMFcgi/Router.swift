/// A handler after type erasure: request and context in, response out.
public typealias Responder<Context> = @Sendable (Request, Context) throws -> Response

/// Options of one route.
public struct RouteOptions: Sendable {
    /// The largest body the route accepts; more is a 413 problem.
    public var maxBodySize: Int

    /// Options with a body limit (1 MiB by default, like nginx's `client_max_body_size`).
    public init(maxBodySize: Int = 1 << 20) {
        self.maxBodySize = maxBodySize
    }
}

/// Maps method + path to handlers. Path patterns use `:name` for a parameter segment.
/// Build it once at startup; it is immutable while serving.
public struct Router<Context: RequestContext>: Sendable {
    struct Route: Sendable {
        var responder: Responder<Context>
        var options: RouteOptions
        /// The path pattern it was registered with (`/api/v1/jobs/:id`): the metrics label.
        var pattern: String
    }

    final class Node: @unchecked Sendable {
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var routes: [HTTPMethod: Route] = [:]
    }

    /// The outcome of a lookup.
    public enum Match {
        case found(responder: Responder<Context>, options: RouteOptions, parameters: Parameters, pattern: String)
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private let root = Node()
    /// Routes without parameters by their normalized path (`/api/v1/status`): most requests
    /// are found with one hash lookup instead of a walk that splits and decodes the path.
    private var exact: [String: Node] = [:]
    /// Every registered method and path pattern, in registration order (for documentation
    /// and the tests that check it covers every route).
    public private(set) var registered: [(method: HTTPMethod, path: String)] = []

    /// An empty router.
    public init() {}

    /// Registers `handler` for `method` and `path` (middleware goes on a ``group()``).
    public mutating func on<Output: ResponseGenerator>(
        _ method: HTTPMethod, _ path: String, options: RouteOptions = RouteOptions(),
        use handler: @escaping @Sendable (Request, Context) throws -> Output
    ) {
        add(method, path, options: options) { request, context in try handler(request, context).response(for: request) }
    }

    /// Registers `responder` for `method` and `path`.
    mutating func add(_ method: HTTPMethod, _ path: String, options: RouteOptions, responder: @escaping Responder<Context>) {
        var node = root
        for segment in Router.segments(of: path) {
            if segment.hasPrefix(":") {
                let name = String(segment.dropFirst())
                if let existing = node.parameter {
                    precondition(existing.name == name, "Conflicting parameter names at \(path)")
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else if let child = node.literals[segment] {
                node = child
            } else {
                let child = Node()
                node.literals[segment] = child
                node = child
            }
        }
        node.routes[method] = Route(responder: responder, options: options, pattern: path)
        registered.append((method, path))
        if !path.contains(":") { exact["/" + Router.segments(of: path).joined(separator: "/")] = node }
    }

    /// `GET path`.
    public mutating func get<Output: ResponseGenerator>(
        _ path: String, options: RouteOptions = RouteOptions(), use handler: @escaping @Sendable (Request, Context) throws -> Output
    ) {
        on(.get, path, options: options, use: handler)
    }

    /// `POST path`.
    public mutating func post<Output: ResponseGenerator>(
        _ path: String, options: RouteOptions = RouteOptions(), use handler: @escaping @Sendable (Request, Context) throws -> Output
    ) {
        on(.post, path, options: options, use: handler)
    }

    /// Finds the route for `method` and `path` (percent-encoded; decoded per segment).
    public func match(_ method: HTTPMethod, path: String) -> Match {
        guard let (node, parameters) = node(for: path) else { return .notFound }
        let lookup = method == .head ? .get : method
        if let route = node.routes[lookup] {
            return .found(responder: route.responder, options: route.options, parameters: parameters, pattern: route.pattern)
        }
        return .methodNotAllowed(allowed: Router.allowed(node))
    }

    /// The methods `path` answers (HEAD with GET, and OPTIONS), for an `Allow` header; nil
    /// when no route has this path.
    public func allowedMethods(path: String) -> [HTTPMethod]? {
        node(for: path).map { Router.allowed($0.node) }
    }

    private static func allowed(_ node: Node) -> [HTTPMethod] {
        var allowed = Set(node.routes.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        allowed.insert(.options)
        return allowed.sorted()
    }

    /// The node with routes for `path` and the parameters on the way; nil when none. Paths
    /// of routes without parameters are found with one hash lookup.
    private func node(for path: String) -> (node: Node, parameters: Parameters)? {
        if let node = exact[path] { return node.routes.isEmpty ? nil : (node, Parameters()) }
        var node = root
        var parameters = Parameters()
        for raw in Router.segments(of: path) {
            guard let segment = PercentDecoding.decode(raw) else { return nil }
            if let child = node.literals[segment] {
                node = child
            } else if let (name, child) = node.parameter {
                parameters.append(name, segment)
                node = child
            } else {
                return nil
            }
        }
        return node.routes.isEmpty ? nil : (node, parameters)
    }

    static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
