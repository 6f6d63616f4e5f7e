import Logging
import TMFcgi

/// The per-request context of the API: request id, path parameters, logger. Routes that need
/// a caller take an ``AuthenticatedContext`` made from it by ``AuthMiddleware``.
public typealias AppContext = BasicContext
