import Foundation
import TestSupport
import Testing

/// `GET /api/v1/trademaster/catalogue` against the fake TradeMaster service: the listing as
/// the fake's getParameters gives it, cached, its bad inputs, and an open breaker (the stale
/// copy, or a 503 without one).
@Suite(.inProcess("catalogue"), .serialized) struct TradeMasterCatalogueHandlersTests {
    let app: InProcessApp
    let sx: StrategyFixtures

    init() throws {
        app = try InProcessApp.suite()
        sx = StrategyFixtures(app.fixtures)
    }

    /// The fake's lists (Tests/fake-trademaster/server.py), grouped by task.
    @Test func listsTheServicesTasksDatasetsAndAgents() throws {
        let (_, auth) = try sx.account("viewer")
        let response = try app.send("GET", "/api/v1/trademaster/catalogue?refresh=true", headers: auth)
        #expect(response.status == 200, "\(response.text)")
        let tasks = try #require(response.json["tasks"] as? [[String: Any]])
        #expect(
            tasks.map { $0["name"] as? String }
                == ["algorithmic_trading", "portfolio_management", "order_execution", "high_frequency_trading", "market_dynamics_modeling"])
        let trading = try #require(tasks.first)
        let datasets = try #require(trading["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["name"] as? String } == ["BTC", "FX", "CRASH", "STALL", "SLOW", "LONG"])
        #expect(datasets[0]["qualified_name"] as? String == "algorithmic_trading:BTC")
        #expect(datasets[0]["start_date"] as? String == "2015-10-01" && datasets[0]["end_date"] as? String == "2021-07-06")
        let agents = try #require(trading["agents"] as? [[String: Any]])
        #expect(agents.map { $0["qualified_name"] as? String } == ["algorithmic_trading:deepscalper"])
        let portfolio = try #require(tasks.first { $0["name"] as? String == "portfolio_management" })
        #expect((portfolio["agents"] as? [[String: Any]])?.count == 4)
        #expect(response.json["optimizers"] as? [String] == ["adam"] && response.json["losses"] as? [String] == ["mse"])
        #expect(response.json["stale"] as? Bool == false && response.json["stale_reason"] == nil)
        #expect((response.json["circuit"] as? [String: Any])?["state"] as? String == "closed")

        // Cached: a second answer is the same copy.
        let again = try app.send("GET", "/api/v1/trademaster/catalogue?task=order_execution", headers: auth)
        #expect(again.status == 200, "\(again.text)")
        #expect(again.json["fetched_at"] as? String == response.json["fetched_at"] as? String)
        let only = try #require(again.json["tasks"] as? [[String: Any]])
        #expect(only.count == 1 && only[0]["name"] as? String == "order_execution")
        #expect((only[0]["datasets"] as? [[String: Any]])?.map { $0["name"] as? String } == ["BTC", "PD_BTC"])
    }

    @Test func badInputsAreProblems() throws {
        let (_, auth) = try sx.account()
        let unknown = try app.send("GET", "/api/v1/trademaster/catalogue?task=crypto_arbitrage", headers: auth)
        #expect(unknown.status == 422 && unknown.header("content-type") == "application/problem+json", "\(unknown.text)")
        #expect((unknown.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "task")
        let refresh = try app.send("GET", "/api/v1/trademaster/catalogue?refresh=yes", headers: auth)
        #expect(refresh.status == 422)
        #expect((refresh.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "refresh")
        let empty = try app.send("GET", "/api/v1/trademaster/catalogue?task=", headers: auth)
        #expect(empty.status == 422, "\(empty.text)")
        let anonymous = try app.send("GET", "/api/v1/trademaster/catalogue", headers: [:])
        #expect(anonymous.status == 401)
    }

    /// With the job workers' breaker recorded open, the service is not asked: the copy is
    /// answered marked stale (even when a refresh is asked for).
    @Test func anOpenBreakerServesTheCopyMarkedStale() throws {
        let (_, auth) = try sx.account()
        let first = try app.send("GET", "/api/v1/trademaster/catalogue?refresh=true", headers: auth)
        #expect(first.status == 200 && first.json["stale"] as? Bool == false, "\(first.text)")
        _ = try app.stack.sql(
            """
            INSERT INTO service_breakers (service, state, failures, open_until, last_error, updated_at)
            VALUES ('trademaster', 'open', 5, now() + interval '1 hour', 'unreachable', now())
            ON CONFLICT (service) DO UPDATE SET state = 'open', open_until = now() + interval '1 hour'
            """, database: app.database.url)
        defer { _ = try? app.stack.sql("DELETE FROM service_breakers", database: app.database.url) }
        let stale = try app.send("GET", "/api/v1/trademaster/catalogue?refresh=true", headers: auth)
        #expect(stale.status == 200, "\(stale.text)")
        #expect(stale.json["stale"] as? Bool == true && stale.json["stale_reason"] as? String == "circuit open")
        #expect(stale.json["fetched_at"] as? String == first.json["fetched_at"] as? String)
        let circuit = try #require(stale.json["circuit"] as? [String: Any])
        #expect(circuit["state"] as? String == "open" && circuit["open_until"] is String)
        #expect((stale.json["tasks"] as? [Any])?.count == 5)
    }
}

/// The service down and nothing kept yet: a 503 problem with Retry-After.
@Suite(.inProcess("catalogueoutage", overrides: ["TRADEMASTER_API_URL": "http://127.0.0.1:9"]), .serialized)
struct TradeMasterCatalogueOutageTests {
    @Test func noCopyAndNoServiceIsA503() throws {
        let app = try InProcessApp.suite()
        let sx = StrategyFixtures(app.fixtures)
        let (_, auth) = try sx.account()
        let response = try app.send("GET", "/api/v1/trademaster/catalogue", headers: auth)
        #expect(response.status == 503, "\(response.text)")
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("retry-after") == "5")
        #expect(response.json["title"] as? String == "TradeMaster unavailable")
        // Within the back-off the service is not asked again: the same answer at once.
        let again = try app.send("GET", "/api/v1/trademaster/catalogue?refresh=true", headers: auth)
        #expect(again.status == 503)
    }
}
