import Models
import TMFcgi

extension RunError: ProblemConvertible {
    /// Not the caller's run or dataset: 404 (the dataset's naming the field); a live run: 409;
    /// invalid fields: 422 naming each.
    public var problem: Problem {
        switch self {
        case .notFound:
            return Problem(.notFound, detail: "No such run.")
        case .datasetNotFound(let pointer, let id):
            return .notYours("dataset", id, at: pointer)
        case .invalid(let issues):
            return Problem.validation(issues.map { FieldError(pointer: $0.field, detail: $0.message) })
        case .live:
            return Problem(
                .conflict, detail: "The run is still queued or running; stop its strategy's runs first (POST /api/v1/strategies/{id}/stop).")
        case .notExecutable(let reason):
            return Problem(.conflict, detail: reason)
        }
    }
}

extension IdempotencyError: ProblemConvertible {
    /// Another body under a used key: 422; the first request still in progress: 409.
    public var problem: Problem {
        switch self {
        case .keyReused:
            return Problem(
                .unprocessableContent, type: "/problems/validation", title: "Validation failed",
                detail: "This Idempotency-Key was already used with another request body.",
                errors: [FieldError(pointer: "Idempotency-Key", detail: "was used with another body")])
        case .inProgress:
            return Problem(
                .conflict, detail: "A request with this Idempotency-Key is still in progress; retry shortly.",
                headers: [("Retry-After", "1")])
        case .invalidKey:
            return Problem(
                .unprocessableContent, type: "/problems/validation", title: "Validation failed",
                detail: "Idempotency-Key must be 1 to 255 printable characters.",
                errors: [FieldError(pointer: "Idempotency-Key", detail: "must be 1 to 255 printable characters")])
        }
    }
}
