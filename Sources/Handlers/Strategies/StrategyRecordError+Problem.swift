import Models
import TMFcgi

extension StrategyRecordError: ProblemConvertible {
    /// Not the caller's: 404; a taken name: 409; a stale `If-Match`: 412 with the current ETag;
    /// invalid fields: 422 naming each.
    public var problem: Problem {
        switch self {
        case .notFound:
            return Problem(.notFound, detail: "No such strategy.")
        case .nameTaken:
            return Problem(
                .conflict, detail: "You already have a strategy with this name (names are compared case-insensitively).",
                errors: [FieldError(pointer: "/name", detail: "is taken")])
        case .stale(let current):
            return Versioning.stale("strategy", current: current)
        case .invalid(let issues):
            return Problem.validation(issues.map { FieldError(pointer: $0.field, detail: $0.message) })
        }
    }
}
