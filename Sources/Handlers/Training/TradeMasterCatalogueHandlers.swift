import Foundation
import Models
import TMFcgi
import TradeMasterAPI

/// `GET /api/v1/trademaster/catalogue`: what the TradeMaster service can train, for front
/// ends building a training form: its tasks with their datasets (and date ranges) and
/// agents, the optimizers and losses, with the circuit breaker's state.
///
/// Each pool worker keeps the last listing for 5 minutes (``CatalogueCache``). When the
/// service cannot be asked (it fails, or the job workers' recorded breaker is open) the last
/// copy is answered with `stale: true` and the reason; with no copy at all it is a 503
/// problem with `Retry-After`.
struct TradeMasterCatalogueHandlers: Sendable {
    let client: TradeMasterClient
    let breakers: ServiceBreakerStore?
    let cache: CatalogueCache

    /// One dataset of a task.
    struct DatasetAnswer: Codable {
        var name: String
        var qualifiedName: String
        var startDate: String?
        var endDate: String?
    }

    /// One agent of a task.
    struct AgentAnswer: Codable {
        var name: String
        var qualifiedName: String
    }

    /// One task.
    struct TaskAnswer: Codable {
        var name: String
        var datasets: [DatasetAnswer]
        var agents: [AgentAnswer]
    }

    /// The breaker as the job workers recorded it.
    struct CircuitAnswer: Codable {
        var state: String
        var openUntil: Date?
    }

    /// The answer.
    struct Answer: ResponseEncodable, Codable {
        var tasks: [TaskAnswer]
        var optimizers: [String]
        var losses: [String]
        var fetchedAt: Date
        var ageSeconds: Double
        var stale: Bool
        var staleReason: String?
        var circuit: CircuitAnswer
    }

    /// `GET /api/v1/trademaster/catalogue?task=&refresh=`.
    func show(_ request: Request, _ context: AuthenticatedContext) throws -> Answer {
        let query = try request.queryItems
        var errors: [FieldError] = []
        var refresh = false
        switch query["refresh"] {
        case nil, "false": break
        case "true": refresh = true
        default: errors.append(FieldError(pointer: "refresh", detail: "must be true or false"))
        }
        let task = QueryValue.text(query, "task", 1...100, errors: &errors)
        try QueryValue.check(errors)

        let now = Date()
        let circuit = recordedCircuit(now: now)
        let open = circuit.state == "open" && (circuit.openUntil.map { $0 > now } ?? true)
        var (entry, fetch, lastError) = cache.begin(forceRefresh: refresh, callsAllowed: !open, now: now)
        if fetch {
            let outcome: Result<TradeMasterListing, TradeMasterError>
            do { outcome = .success(try client.listing()) } catch { outcome = .failure(error) }
            (entry, lastError) = cache.finish(outcome)
        }
        guard let entry else {
            let wait = open ? max(1, Int((circuit.openUntil?.timeIntervalSince(now) ?? 30).rounded(.up))) : Int(cache.retryAfter)
            throw Problem(
                .serviceUnavailable, title: "TradeMaster unavailable",
                detail: open
                    ? "The TradeMaster service keeps failing (circuit open) and no copy of its catalogue is kept yet. Retry later."
                    : "The TradeMaster service did not answer and no copy of its catalogue is kept yet. Retry shortly.",
                headers: [("Retry-After", String(wait))])
        }
        let age = max(0, now.timeIntervalSince(entry.fetchedAt))
        // Stale: older than the TTL, or a refresh that was asked for could not be made.
        let stale = age >= cache.ttl || (refresh && !fetch) || (fetch && lastError != nil)
        var tasks = entry.listing.tasks
        if let task {
            guard tasks.contains(where: { $0.name == task }) else {
                throw Problem.validation(
                    [FieldError(pointer: "task", detail: "unknown task; one of " + tasks.map(\.name).joined(separator: ", "))],
                    detail: "The query has invalid parameters.")
            }
            tasks = tasks.filter { $0.name == task }
        }
        return Answer(
            tasks: tasks.map { task in
                TaskAnswer(
                    name: task.name,
                    datasets: task.datasets.map {
                        DatasetAnswer(name: $0.name, qualifiedName: $0.qualifiedName, startDate: $0.startDate, endDate: $0.endDate)
                    },
                    agents: task.agents.map { AgentAnswer(name: $0, qualifiedName: task.name + ":" + $0) })
            },
            optimizers: entry.listing.optimizers, losses: entry.listing.losses, fetchedAt: entry.fetchedAt,
            ageSeconds: (age * 1000).rounded() / 1000, stale: stale,
            staleReason: stale ? (open ? "circuit open" : lastError ?? "older than \(Int(cache.ttl)) s") : nil,
            circuit: circuit)
    }

    /// The job workers' breaker as recorded (closed when nothing is recorded or PostgreSQL
    /// cannot tell).
    private func recordedCircuit(now: Date) -> CircuitAnswer {
        guard let breakers, let recorded = try? breakers.state("trademaster") else { return CircuitAnswer(state: "closed", openUntil: nil) }
        return CircuitAnswer(state: recorded.state, openUntil: recorded.state == "closed" ? nil : recorded.openUntil)
    }
}
