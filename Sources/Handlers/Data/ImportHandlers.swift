import Foundation
import JobRuntime
import Models
import TMFcgi

/// `POST /api/v1/data/import`: a CSV downloaded over HTTP(S) by a `data.import` job and
/// loaded as an upload would be.
struct ImportHandlers: Sendable {
    let queue: JobQueue
    /// What every import is allowed (the `TM_IMPORT_*` settings and the dataset limits).
    let options: ImportJob.Options

    /// The request body.
    struct Body: Codable {
        var url: String
        var name: String
        var description: String?
        var tags: [String]?
        var timezone: String?
        var symbol: String?
        var dedupe: String?
    }

    /// `POST /api/v1/data/import`.
    public func create(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let body = try request.decode(Body.self)
        var errors: [FieldError] = []
        let url = body.url.trimmingCharacters(in: .whitespaces)
        var path: String?
        if url.isEmpty || url.utf8.count > 2048 || url.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) {
            errors.append(FieldError(pointer: "/url", detail: "must be an http or https URL of at most 2048 characters"))
        } else if let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty
        {
            path = components.path.isEmpty ? nil : components.path
        } else {
            errors.append(FieldError(pointer: "/url", detail: "must be an absolute http or https URL with a host"))
        }
        if let tags = body.tags, tags.contains(where: { $0.contains(",") }) {
            errors.append(FieldError(pointer: "/tags", detail: "a tag must not contain a comma"))
        }
        var form = UploadForm()
        form.fields["name"] = body.name
        form.fields["description"] = body.description
        form.fields["tags"] = body.tags?.joined(separator: ",")
        form.fields["timezone"] = body.timezone
        form.fields["symbol"] = body.symbol
        form.fields["dedupe"] = body.dedupe
        var draft: DatasetDraft?
        do {
            draft = try form.draft(filename: path.map { ($0 as NSString).lastPathComponent })
        } catch let problem as Problem {
            errors += problem.errors.map { FieldError(pointer: "/" + $0.pointer, detail: $0.detail) }
        }
        guard errors.isEmpty, let draft else { throw Problem.validation(errors) }
        // The URL's syntax, scheme, port and an address literal are checked here; a host name is
        // resolved and its addresses checked by the job (no DNS on a request's thread), which
        // fails with the reason when the name resolves to a refused address.
        _ = try ImportAddressPolicy.checkSyntax(url: url, allowPrivate: options.allowPrivate)
        let job = try ImportJob.enqueue(draft, url: url, owner: principal.userID, options: options, queue: queue)
        var response = try JSONCoding.response(job, status: .accepted)
        response.headers.add("Location", "/api/v1/jobs/\(job.id)")
        return response
    }
}
