import CurlHTTP
import Foundation
import Models
import PostgresClient
import RedisClient
import TMFcgi
import TradeMasterAPI

/// `GET /health` (liveness) and `GET /api/v1/status` (readiness).
public struct HealthHandlers: Sendable {
    let database: Database
    let redis: Redis
    let tradeMaster: TradeMasterClient
    let version: String
    var breakers: ServiceBreakerStore? = nil
    let startedAt = Clock.monotonicNanoseconds()
    /// The liveness body never changes: encode it once.
    let healthBody = Array("{\"status\":\"ok\"}".utf8)
    /// TradeMaster is probed at most once per 5 s per worker (see ``CachedCheck``).
    let tradeMasterCheck = CachedCheck(seconds: 5)

    /// The body of `GET /health`.
    struct Liveness: Codable {
        var status: String
    }

    /// `GET /health`: the process answers. No dependency is checked, so a database outage
    /// never makes the orchestrator kill healthy workers.
    public func health(_ request: Request, _ context: AppContext) -> Response {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Cache-Control", "no-store")
        return Response(status: .ok, headers: headers, body: healthBody)
    }

    /// One dependency's state.
    public struct Check: Codable, Sendable {
        public let status: String
        public let latencyMs: Double
        public let error: String?
        /// TradeMaster only: the job workers' circuit breaker (`closed`, `open`, `half_open`).
        public var circuit: String?
        /// TradeMaster only: until when an open breaker refuses calls.
        public var circuitOpenUntil: Date?
    }

    /// The readiness report.
    public struct Report: ResponseEncodable, Codable, Sendable {
        public let status: String
        public let version: String
        public let uptimeSeconds: Double
        public let checks: [String: Check]
    }

    /// `GET /api/v1/status`: PostgreSQL, Redis and TradeMaster with latency; 503 unless
    /// PostgreSQL and Redis are up (TradeMaster being down is reported, not fatal). The
    /// TradeMaster result may be up to 5 s old, so a hung service cannot tie up the pool.
    public func status(_ request: Request, _ context: AppContext) throws -> Response {
        let postgres = check { try database.ping() }
        let redisCheck = check {
            guard case .status("PONG") = try redis.command(["PING"]) else { throw RedisError.reply("unexpected PING reply") }
        }
        let trademaster = tradeMasterCheck.value {
            check {
                guard try tradeMaster.healthcheck() else { throw HTTPClientError.malformedResponse("healthcheck reported an error") }
            }
        }
        var trademasterReport = trademaster
        if postgres.status == "ok", let breakers, let recorded = try? breakers.state("trademaster") {
            trademasterReport.circuit = recorded.state
            trademasterReport.circuitOpenUntil = recorded.state == "closed" ? nil : recorded.openUntil
        } else if postgres.status == "ok", breakers != nil {
            trademasterReport.circuit = "closed"
        }
        let ready = postgres.status == "ok" && redisCheck.status == "ok"
        let report = Report(
            status: ready ? "ok" : "degraded", version: version,
            uptimeSeconds: Double((Clock.monotonicNanoseconds() - startedAt) / 1_000_000) / 1000,
            checks: ["postgres": postgres, "redis": redisCheck, "trademaster": trademasterReport])
        var response = try JSONCoding.response(report, status: ready ? .ok : .serviceUnavailable)
        response.headers.add("Cache-Control", "no-store")
        return response
    }

    private func check(_ probe: () throws -> Void) -> Check {
        let start = Clock.monotonicNanoseconds()
        var failure: String?
        do { try probe() } catch { failure = Self.describe(error) }
        let elapsed = Double((Clock.monotonicNanoseconds() - start) / 1000) / 1000
        return Check(status: failure == nil ? "ok" : "down", latencyMs: elapsed, error: failure)
    }

    /// A short reason without internals (no hostnames, no SQL).
    static func describe(_ error: any Error) -> String {
        switch error {
        case is DatabaseError, is RedisError: return "unreachable"
        case HTTPClientError.timeout: return "timeout"
        case is HTTPClientError: return "unreachable"
        default: return "error"
        }
    }
}
