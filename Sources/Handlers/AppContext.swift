import Logging
import Models
import TMFcgi

/// The per-request context of the API: request id, path parameters, logger, and the caller
/// once ``AuthMiddleware`` has authenticated the request.
public struct AppContext: RequestContext {
    public let requestID: String
    public var parameters = Parameters()
    public var logger: Logger
    /// The authenticated caller; nil on public routes.
    public var principal: Principal?

    public init(request: Request, logger: Logger) {
        self.requestID = request.requestID
        self.logger = logger
    }

    /// The caller, or a 401 problem when the route was reached without authentication.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw AuthProblem.missingCredentials }
        return principal
    }

    /// The caller when their role grants `permission`; 401 without a caller, 403 without the
    /// permission.
    @discardableResult
    public func require(_ permission: Permission) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.role.allows(permission) else {
            throw Problem(.forbidden, detail: "Your role (\(principal.role.rawValue)) does not allow this (\(permission.rawValue) permission required).")
        }
        return principal
    }
}
