import Logging
import Models
import Security
import TMFcgi

/// Composes the HTTP API from its dependencies.
public enum API {
    /// The version reported by `/api/v1/status`.
    public static let version = "0.1.0"
    /// The `iss` of access tokens.
    public static let tokenIssuer = "trademaster"
    /// The `aud` of access tokens.
    public static let tokenAudience = "trademaster-api"

    /// The application with every route mounted. Routes registered before the
    /// ``AuthMiddleware`` line are public; every route after it needs a caller.
    /// - Throws: `JWTError.keyTooShort` when SECRET_KEY or SECRET_KEY_PREVIOUS is under 32 bytes.
    public static func makeApplication(settings: Settings, logger: Logger) throws -> Application<AppContext> {
        let database = Database(url: settings.databaseURL)
        let redis = Redis(endpoint: settings.redis)
        let tradeMaster = TradeMasterClient(baseURL: settings.tradeMasterURL, timeout: 2)
        let signer = try JWTSigner(currentKey: Array(settings.secretKey.utf8),
                                   previousKey: settings.secretKeyPrevious.map { Array($0.utf8) },
                                   issuer: tokenIssuer, audience: tokenAudience)
        let hasher = PasswordHasher()
        // At worker start, so the first unknown-user login is not slower than the others.
        hasher.prepareDummyHash()
        let rememberedLifetime = Int64(settings.refreshTokenExpireDays) * 86_400
        let users = UserStore(database: database)
        let sessions = SessionStore(redis: redis, maximumLifetime: rememberedLifetime)
        let keys = APIKeyStore(database: database)
        let audit = AuditLog(database: database)
        let service = AccountService(users: users, sessions: sessions, throttle: LoginThrottle(redis: redis), audit: audit,
                                     hasher: hasher, signer: signer,
                                     accessLifetime: Int64(settings.accessTokenExpireMinutes) * 60,
                                     rememberedLifetime: rememberedLifetime)

        var router = Router<AppContext>()
        HealthHandlers(database: database, redis: redis, tradeMaster: tradeMaster, version: version).register(on: &router)
        if settings.diagnostics {
            DiagnosticHandlers().register(on: &router)
        }
        AuthHandlers(service: service).register(on: &router)

        router.add(middleware: AuthMiddleware(authenticator: Authenticator(signer: signer, sessions: sessions, apiKeys: keys)))
        AccountHandlers(service: service).register(on: &router)
        SessionHandlers(sessions: sessions, audit: audit).register(on: &router)
        APIKeyHandlers(keys: keys, audit: audit).register(on: &router)
        AdminUserHandlers(users: users, sessions: sessions, keys: keys, audit: audit).register(on: &router)
        JobHandlers(queue: JobQueue(database: database), kinds: JobRegistry.standard(diagnostics: settings.diagnostics).kinds)
            .register(on: &router)
        return Application(router: router, logger: logger)
    }
}
