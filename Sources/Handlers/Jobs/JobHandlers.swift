import Models
import TMFcgi

extension Job: ResponseEncodable {}

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

    /// Adds the routes.
    public func register(on router: inout Router<AppContext>) {
        router.get("/api/v1/jobs", use: list)
        router.get("/api/v1/jobs/:id", use: show)
        router.post("/api/v1/jobs/:id/cancel", use: cancel)
    }

    /// `GET /api/v1/jobs?status=&kind=&limit=&offset=`: newest first; an unknown `status` or
    /// `kind` is a 422 naming it.
    public func list(_ request: Request, _ context: AppContext) throws -> Page<Job> {
        let principal = try context.require(.read)
        let query = request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest(query: query, errors: &errors)
        var status: JobStatus?
        if let text = query["status"] {
            status = JobStatus(rawValue: text)
            if status == nil {
                errors.append(FieldError(pointer: "status", detail: "unknown status \(quoted(text)); one of "
                                         + JobStatus.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        let kind = query["kind"]
        if let kind, !kinds.contains(kind) {
            errors.append(FieldError(pointer: "kind", detail: "unknown kind \(quoted(kind))"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The query has invalid parameters.") }
        let (items, total) = try queue.list(owner: Self.scope(principal), status: status, kind: kind,
                                            limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, limit: page.limit, offset: page.offset)
    }

    /// `GET /api/v1/jobs/:id`: status, progress, attempts, timestamps, result or error.
    public func show(_ request: Request, _ context: AppContext) throws -> Job {
        let principal = try context.require(.read)
        let id = try context.parameters.require("id", as: Int64.self)
        guard let job = try queue.find(id: id, owner: Self.scope(principal)) else {
            throw Problem(.notFound, detail: "No job \(id).")
        }
        return job
    }

    /// `POST /api/v1/jobs/:id/cancel`: a queued job is cancelled at once (200); a running one
    /// stops at its next progress report (202, `cancel_requested_at` set); a finished one is
    /// a 409.
    public func cancel(_ request: Request, _ context: AppContext) throws -> Response {
        let principal = try context.require(.run)
        let id = try context.parameters.require("id", as: Int64.self)
        switch try queue.cancel(id: id, owner: Self.scope(principal)) {
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

    /// Whose jobs the caller sees: their own, or everyone's for admins (nil).
    static func scope(_ principal: Principal) -> Int64? {
        principal.role == .admin ? nil : principal.userID
    }

    private func quoted(_ text: String) -> String {
        "\"\(text.prefix(100))\""
    }
}
