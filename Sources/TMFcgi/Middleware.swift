/// Code that runs around the handlers of a ``RouterGroup``: authentication, auditing,
/// caching. It may hand the handler another context than the one it got (authentication
/// hands on one in which the caller is known), as Hummingbird's middleware does.
public protocol Middleware<Input, Output>: Sendable {
    /// The context the middleware gets.
    associatedtype Input: Sendable
    /// The context it hands to `next`.
    associatedtype Output: Sendable
    /// Handles the request, usually by calling `next` with a context made from `context`;
    /// throwing refuses the request (the error becomes a problem in ``Application``).
    func handle(_ request: Request, context: Input, next: (Request, Output) throws -> Response) throws -> Response
}
