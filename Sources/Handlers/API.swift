import Logging
import Models
import TMFcgi

/// Composes the HTTP API from its dependencies.
public enum API {
    /// The version reported by `/api/v1/status`.
    public static let version = "0.1.0"

    /// The application with every route mounted.
    public static func makeApplication(settings: Settings, logger: Logger) -> Application<AppContext> {
        let database = Database(url: settings.databaseURL)
        let redis = Redis(endpoint: settings.redis)
        let tradeMaster = TradeMasterClient(baseURL: settings.tradeMasterURL, timeout: 2)
        var router = Router<AppContext>()
        HealthHandlers(database: database, redis: redis, tradeMaster: tradeMaster, version: version).register(on: &router)
        if settings.diagnostics {
            DiagnosticHandlers().register(on: &router)
        }
        return Application(router: router, logger: logger)
    }
}
