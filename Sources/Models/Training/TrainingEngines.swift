import Foundation
import JobRuntime
import PostgresClient
import TradeMasterAPI

/// The training job kinds with what they share in one `tm worker` process: the TradeMaster
/// client and its circuit breaker (recorded in `service_breakers` for `/api/v1/status`).
public struct TrainingEngines: Sendable {
    /// The settings.
    public let configuration: TrainingConfiguration
    /// The client every TradeMaster job uses.
    public let client: TradeMasterClient

    /// Engines with a breaker recorded in `database` (none: not recorded).
    public init(configuration: TrainingConfiguration, database: Database? = nil) {
        self.configuration = configuration
        let recorder = database.map(ServiceBreakerStore.init(database:))
        let breaker = CircuitBreaker(threshold: configuration.breakerThreshold, openSeconds: configuration.breakerOpenSeconds) { snapshot in
            recorder?.record("trademaster", snapshot)
        }
        client = TradeMasterClient(
            baseURL: configuration.tradeMasterURL, timeout: configuration.callTimeout,
            policy: configuration.policy, breaker: breaker)
    }

    /// Registers the four kinds.
    public func register(on registry: inout JobRegistry) {
        registry.register(TrainingKinds.parameterSearch, ParameterSearchEngine(threads: configuration.searchThreads))
        registry.register(TrainingKinds.tradeMaster, TradeMasterEngine(client: client, configuration: configuration))
        registry.register(TrainingKinds.marketDynamics, MarketDynamicsEngine(client: client, configuration: configuration, dynamicsTest: false))
        registry.register(TrainingKinds.dynamicsTest, MarketDynamicsEngine(client: client, configuration: configuration, dynamicsTest: true))
    }
}
