import Models
import PostgresClient
import TMFcgi

/// A `POST` that starts work (execute, the analysis backtest, training start) run as one
/// command: its writes commit in one transaction; with an `Idempotency-Key` header that
/// transaction also holds the key, so a retry (same key, same body) answers the first answer
/// again, marked `Idempotent-Replayed: true`, without doing the work twice. "Same body" means
/// the same JSON value: key order, spacing and escapes do not count.
struct IdempotentCommand {
    /// Where keys are kept.
    let store: IdempotencyStore

    /// What the work made: the answer, and what to do once it is committed (announce jobs,
    /// publish events, count metrics), which a replay does not repeat.
    struct Done {
        /// The status of the answer.
        var status: HTTPStatus
        /// The `Location` of what was made, if anything.
        var location: String?
        /// The JSON body.
        var body: [UInt8]
        /// Runs after the commit of a fresh answer.
        var afterCommit: () -> Void = {}

        /// An answer with `value` as its JSON body.
        init(_ value: some Encodable, status: HTTPStatus, location: String? = nil, afterCommit: @escaping () -> Void = {}) throws {
            self.status = status
            self.location = location
            self.body = try JSONCoding.response(value, status: status).body
            self.afterCommit = afterCommit
        }

        /// An answer whose JSON body is already written.
        init(body: [UInt8], status: HTTPStatus, location: String? = nil, afterCommit: @escaping () -> Void = {}) {
            self.status = status
            self.location = location
            self.body = body
            self.afterCommit = afterCommit
        }
    }

    /// Runs `work` in one transaction as `owner`'s command `route` with `request`'s key, if
    /// any; `meaning` is the request body's meaning (``Request/decodeWithMeaning(_:)``), which
    /// a retry must repeat.
    func run(
        _ request: Request, owner: Int64, route: String, meaning: [UInt8],
        _ work: (Transaction) throws -> Done
    ) throws -> Response {
        var done: Done?
        let outcome: IdempotencyStore.Outcome
        if let key = try Self.key(of: request) {
            outcome = try store.perform(owner: owner, route: route, key: key, requestBody: meaning) { tx in
                let made = try work(tx)
                done = made
                return IdempotencyStore.Replay(code: made.status.code, reference: made.location, body: made.body)
            }
        } else {
            let made = try store.database.transaction(work)
            done = made
            outcome = .fresh(IdempotencyStore.Replay(code: made.status.code, reference: made.location, body: made.body))
        }
        if case .fresh = outcome { done?.afterCommit() }
        return Self.response(outcome)
    }

    /// The request's `Idempotency-Key`, nil when absent; 422 (``IdempotencyError/invalidKey``)
    /// when it is not 1–255 characters without control characters.
    static func key(of request: Request) throws -> String? {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard (1...255).contains(key.unicodeScalars.count), !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IdempotencyError.invalidKey
        }
        return key
    }

    /// The response of a fresh or replayed record: its status, `Location`, body, and
    /// `Idempotent-Replayed: true` on a replay.
    static func response(_ outcome: IdempotencyStore.Outcome) -> Response {
        let replay = outcome.replay
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        if let location = replay.reference { headers.add("Location", location) }
        if case .replayed = outcome { headers.add("Idempotent-Replayed", "true") }
        return Response(status: HTTPStatus(code: replay.code), headers: headers, body: replay.body)
    }
}
