import JobRuntime
import Models
import PostgresClient
import RedisClient
import TMFcgi

extension DatabaseError: ProblemConvertible {
    /// Unavailable → 503 with `Retry-After`. What the stores did not turn into a domain error
    /// still gets a client status when the client's data caused it (``DatabaseError/violation``):
    /// unique → 409, foreign key → 422, a value outside what can be stored → 422. Anything else
    /// is a server fault (500, details only in the log).
    public var problem: Problem {
        if case .unavailable = self {
            return Problem(
                .serviceUnavailable, title: "Database unavailable",
                detail: "The database is not reachable right now. Retry shortly.", headers: [("Retry-After", "1")])
        }
        if isStatementTimeout {
            return Problem(
                .gatewayTimeout, title: "Database statement timed out",
                detail: "The request's database work ran longer than the statement timeout (TM_STATEMENT_TIMEOUT_MS) and was "
                    + "cancelled; nothing was written. Narrow the request (a smaller range, fewer rows) or try later.")
        }
        switch violation {
        case .unique:
            return Problem(.conflict, detail: "The request conflicts with an existing resource.")
        case .foreignKey:
            return Problem(.unprocessableContent, detail: "The request refers to a resource that does not exist.")
        case .valueOutOfRange:
            return Problem(.unprocessableContent, detail: "A value in the request is outside what can be stored.")
        case nil:
            return Problem.unexpected
        }
    }
}

extension JobQueue.OwnerLimitReached: ProblemConvertible {
    /// 429 with `Retry-After`: the caller's own jobs must finish (or be cancelled) first.
    public var problem: Problem {
        Problem(
            .tooManyRequests, title: "Too many unfinished jobs",
            detail: "You have \(unfinished) queued or running jobs, the most allowed is \(limit) (TM_MAX_JOBS_PER_USER): "
                + "wait for some to finish or cancel them.",
            headers: [("Retry-After", "10")])
    }
}

extension AccountConflict: ProblemConvertible {
    /// 409 naming what conflicts.
    public var problem: Problem {
        switch self {
        case .usernameTaken: return Problem(.conflict, detail: "A resource with the same username already exists.")
        case .emailTaken: return Problem(.conflict, detail: "A resource with the same email already exists.")
        case .passwordChanged:
            return Problem(.conflict, detail: "The password was changed by another request meanwhile; sign in again with the current password.")
        }
    }
}

extension RedisError: ProblemConvertible {
    /// Redis unreachable → 503: sessions cannot be checked, so fail closed.
    public var problem: Problem {
        switch self {
        case .unavailable:
            return Problem(
                .serviceUnavailable, title: "Session store unavailable",
                detail: "The session store is not reachable right now. Retry shortly.", headers: [("Retry-After", "1")])
        case .reply:
            return Problem.unexpected
        }
    }
}
