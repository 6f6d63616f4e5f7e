/// Routes of a ``Router`` that share middleware, in the manner of Hummingbird's
/// `RouterGroup`: their handlers take the context the group's middleware hands on
/// (`Context`), which may be a child of the router's (`Root`), for example one in which the
/// caller is not optional.
public struct RouterGroup<Root: RequestContext, Context: Sendable>: Sendable {
    /// The group's middleware around a handler, outermost first.
    private let wrap: @Sendable (@escaping Responder<Context>) -> Responder<Root>

    /// A group without middleware: its handlers take the router's context.
    public init() where Context == Root {
        wrap = { $0 }
    }

    private init(wrap: @escaping @Sendable (@escaping Responder<Context>) -> Responder<Root>) {
        self.wrap = wrap
    }

    /// A group with this one's middleware and then `middleware`, whose handlers take the
    /// context `middleware` hands on.
    public func add<M: Middleware>(middleware: M) -> RouterGroup<Root, M.Output> where M.Input == Context {
        let outer = wrap
        return RouterGroup<Root, M.Output>(wrap: { next in
            outer { request, context in try middleware.handle(request, context: context, next: next) }
        })
    }

    /// Registers `handler` on `router` for `method` and `path`, behind the group's middleware.
    public func on<Output: ResponseGenerator>(
        _ method: HTTPMethod, _ path: String, options: RouteOptions = RouteOptions(), in router: inout Router<Root>,
        use handler: @escaping @Sendable (Request, Context) throws -> Output
    ) {
        router.add(
            method, path, options: options,
            responder: wrap { request, context in
                try handler(request, context).response(for: request)
            })
    }
}

extension Router {
    /// A group of this router's routes, to add middleware to (see ``RouterGroup``).
    public func group() -> RouterGroup<Context, Context> { RouterGroup() }
}
