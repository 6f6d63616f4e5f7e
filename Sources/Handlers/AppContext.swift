import Logging
import TMFcgi

/// The per-request context of the API: request id, path parameters, logger. Routes that need
/// a caller take an ``AuthenticatedContext`` made from it by ``AuthMiddleware``.
public struct AppContext: RequestContext {
    public let requestID: String
    public var parameters = Parameters()
    public var logger: Logger

    public init(request: Request, logger: Logger) {
        self.requestID = request.requestID
        self.logger = logger
    }
}
