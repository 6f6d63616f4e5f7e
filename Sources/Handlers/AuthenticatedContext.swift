import Logging
import Models
import TMFcgi

/// The context of an authenticated route: the ``AppContext`` plus the caller, who is not
/// optional, so no handler asks for them again. ``AuthMiddleware`` makes it; handlers of
/// `.caller` and `.session` routes take it.
public struct AuthenticatedContext: Sendable {
    /// The request id.
    public let requestID: String
    /// Path parameters of the matched route.
    public var parameters: Parameters
    /// The request's logger.
    public var logger: Logger
    /// The authenticated caller, whose role the route's permission check let through.
    public let principal: Principal

    /// `context` with its authenticated `principal`.
    public init(context: AppContext, principal: Principal) {
        self.requestID = context.requestID
        self.parameters = context.parameters
        self.logger = context.logger
        self.principal = principal
    }
}
