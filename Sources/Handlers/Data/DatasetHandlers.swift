import Foundation
import Models
import TMFcgi

/// `/api/v1/data/datasets`: list, show, change and delete the caller's datasets (an
/// admin's: everyone's).
struct DatasetHandlers: Sendable {
    let store: DatasetStore

    /// `dataset` as JSON with its ETag.
    static func respond(_ dataset: Dataset, status: HTTPStatus = .ok, location: String? = nil) throws -> Response {
        try Versioning.respond(dataset, version: dataset.version, status: status, location: location)
    }

    /// The caller's dataset of the path's id, or 404.
    func dataset(_ context: AuthenticatedContext) throws -> Dataset {
        try context.owned({ try store.find(id: $0, owner: $1) }, orThrow: { _ in DatasetError.notFound })
    }

    /// `GET /api/v1/data/datasets` (an admin's list holds everyone's).
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<Dataset> {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let search = QueryValue.text(query, "q", 0...200, errors: &errors)
        let symbol = QueryValue.text(query, "symbol", 1...64, errors: &errors)
        let tags = UploadForm.tags(query["tags"] ?? "", pointer: "tags", errors: &errors)
        let sort = QueryValue.choice(query, "sort", DatasetSort.self, errors: &errors) ?? ListSort(.createdAt, descending: true)
        try QueryValue.check(errors)
        let filter = DatasetFilter(search: search.flatMap { $0.isEmpty ? nil : $0 }, tags: tags, symbol: symbol)
        let (items, total) = try store.list(owner: principal.ownerScope, filter: filter, sort: sort, limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/data/datasets/:id`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        try Self.respond(try dataset(context))
    }

    /// The body of `PATCH /api/v1/data/datasets/:id`.
    struct Change: Decodable {
        var name: String?
        var description: String?
        var tags: [String]?
    }

    /// `PATCH /api/v1/data/datasets/:id`.
    public func update(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let current = try dataset(context)
        let expected = try Versioning.expectedVersion(request, of: "dataset")
        let change = try request.decode(Change.self)
        var issues: [ValidationIssue] = []
        let name = change.name.map { UploadForm.nameRules.normalize($0, issues: &issues) }
        let description = change.description.map { UploadForm.descriptionRules.normalize($0, issues: &issues) }
        var errors = issues.map { FieldError(pointer: "/" + $0.field, detail: $0.message) }
        let tags = change.tags.map { UploadForm.tags($0.joined(separator: ","), pointer: "/tags", errors: &errors) }
        if let raw = change.tags, raw.contains(where: { $0.contains(",") }) {
            errors.append(FieldError(pointer: "/tags", detail: "a tag must not contain a comma"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let principal = context.principal
        return try Self.respond(
            try store.update(
                id: current.id, owner: principal.ownerScope, name: name, description: description,
                tags: tags, expectedVersion: expected))
    }

    /// `DELETE /api/v1/data/datasets/:id`.
    public func delete(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let current = try dataset(context)
        let principal = context.principal
        let force: Bool
        switch try request.queryItems["force"] {
        case nil, "false"?: force = false
        case "true"?: force = true
        default: throw Problem.validation([FieldError(pointer: "force", detail: "must be true or false")])
        }
        try store.delete(
            id: current.id, owner: principal.ownerScope, expectedVersion: try Versioning.expectedVersion(request, of: "dataset"), force: force)
        return NoContent()
    }
}
