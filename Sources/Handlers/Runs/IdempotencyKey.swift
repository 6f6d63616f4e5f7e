import Models
import TMFcgi

/// The `Idempotency-Key` header of a `POST` that starts long work (execute, the analysis backtest).
enum IdempotencyKey {
    /// The header's key, nil when absent; 422 (``IdempotencyError/invalidKey``) when it is not 1–255
    /// characters without control characters.
    static func of(_ request: Request) throws -> String? {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard (1...255).contains(key.unicodeScalars.count), !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IdempotencyError.invalidKey
        }
        return key
    }

    /// The response of a stored (fresh or replayed) answer: its status, `Location`, body, and
    /// `Idempotent-Replayed: true` on a replay.
    static func response(_ outcome: IdempotencyStore.Outcome) -> Response {
        let stored: IdempotencyStore.Answer
        switch outcome {
        case .fresh(let fresh): stored = fresh
        case .replayed(let replayed): stored = replayed
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        if let location = stored.location { headers.add("Location", location) }
        if case .replayed = outcome { headers.add("Idempotent-Replayed", "true") }
        return Response(status: HTTPStatus(code: stored.status), headers: headers, body: stored.body)
    }
}
