import JobRuntime
import Models
import Quant
import Support
import TMFcgi

extension Job: ResponseEncodable {}

extension JSONDocument: SchemaDescribed {
    /// Any JSON value.
    public static var schema: JSONDocument { .object([]) }
}

/// Routes under `/api/v1/jobs`: a caller's jobs (every job for admins), and cancelling one.
public struct JobHandlers: Sendable {
    let queue: JobQueue
    /// The kinds a `kind` filter may name.
    let kinds: Set<String>

    /// Handlers over `queue`; `kinds` are the registered job kinds.
    public init(queue: JobQueue, kinds: [String]) {
        self.queue = queue
        self.kinds = Set(kinds)
    }

    /// `GET /api/v1/jobs?status=&kind=&limit=&offset=`: newest first; an unknown `status` or
    /// `kind` is a 422 naming it.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<Job> {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let status = QueryValue.choice(query, "status", JobStatus.self, errors: &errors)
        let kind = query["kind"]
        if let kind, !kinds.contains(kind) {
            errors.append(FieldError(pointer: "kind", detail: "unknown kind \(quoted(kind))"))
        }
        try QueryValue.check(errors)
        let (items, total) = try queue.list(
            owner: principal.ownerScope, status: status, kind: kind,
            limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/jobs/:id`: status, progress, attempts, timestamps, result or error.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> Job {
        try context.owned({ try queue.find(id: $0, owner: $1) }, orThrow: { Problem(.notFound, detail: "No job \($0).") })
    }

    /// `POST /api/v1/jobs/:id/cancel`: a queued job is cancelled at once (200); a running one
    /// stops at its next progress report (202, `cancel_requested_at` set); a finished one is
    /// a 409.
    public func cancel(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let id = try context.parameters.require("id", as: Int64.self)
        switch try queue.cancel(id: id, owner: principal.ownerScope) {
        case .cancelled(let job):
            return try JSONCoding.response(job, status: .ok)
        case .requested(let job):
            return try JSONCoding.response(job, status: .accepted)
        case .finished(let job):
            throw Problem(.conflict, detail: "Job \(id) has already finished (\(job.status.rawValue)).")
        case .notFound:
            throw Problem(.notFound, detail: "No job \(id).")
        }
    }

    private func quoted(_ text: String) -> String {
        "\"\(text.prefix(100))\""
    }
}
