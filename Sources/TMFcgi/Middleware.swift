/// Code that runs around a matched route's handler: authentication, auditing, caching.
public protocol Middleware<Context>: Sendable {
    /// The request context type.
    associatedtype Context: RequestContext
    /// Handles the request, usually by calling `next` with a possibly changed context.
    func handle(_ request: Request, context: Context, next: (Request, Context) throws -> Response) throws -> Response
}
