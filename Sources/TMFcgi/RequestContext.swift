import Logging

/// Per-request state handed to handlers and middleware. Applications define their own
/// (with the authenticated user, say); the router only needs these members.
public protocol RequestContext: Sendable {
    /// A fresh context for `request`, with a logger that carries its request id.
    init(request: Request, logger: Logger)
    /// The request id.
    var requestID: String { get }
    /// Path parameters of the matched route.
    var parameters: Parameters { get set }
    /// The request's logger.
    var logger: Logger { get set }
}

/// The smallest context: request id, parameters, logger.
public struct BasicContext: RequestContext {
    public let requestID: String
    public var parameters = Parameters()
    public var logger: Logger

    public init(request: Request, logger: Logger) {
        self.requestID = request.requestID
        self.logger = logger
    }
}

/// Path parameters captured by the router (`/strategies/:id` → `id`).
public struct Parameters: Sendable {
    private var values: [(String, String)] = []

    /// No parameters.
    public init() {}

    mutating func append(_ name: String, _ value: String) { values.append((name, value)) }

    /// The raw value of `name`, if captured.
    public subscript(_ name: String) -> String? {
        values.first { $0.0 == name }?.1
    }

    /// The value of `name` converted to `T`; a 404 problem when it does not convert, since a
    /// path that names no possible resource is not found.
    public func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let raw = self[name], let value = T(raw) else {
            throw Problem(.notFound, detail: "No resource at this path.")
        }
        return value
    }
}
