import Models
import Quant
import TMFcgi
import TradeMasterAPI

extension StrategyRecord: ResponseEncodable {}

/// Routes under `/api/v1/strategies`: the caller's strategies (every strategy for admins),
/// their CRUD with `version`/`ETag`/`If-Match`, clone, and the built-in kinds.
struct StrategyHandlers: Sendable {
    let store: StrategyStore
    let tradeMaster: TradeMasterClient?

    /// `strategy` as JSON with its ETag.
    static func respond(_ strategy: StrategyRecord, status: HTTPStatus = .ok, location: String? = nil) throws -> Response {
        try Versioning.respond(strategy, version: strategy.version, status: status, location: location)
    }

    /// The caller's strategy of the path's id, or 404.
    func strategy(_ context: AuthenticatedContext) throws -> StrategyRecord {
        try context.owned({ try store.find(id: $0, owner: $1) }, orThrow: { _ in StrategyRecordError.notFound })
    }

    /// The draft `input` validates to, or a 422 naming every bad field.
    func validated(_ input: StrategyValidator.Input) throws -> StrategyDraft {
        let catalogue = input.engine == .trademaster ? (tradeMaster?.catalogue() ?? .documented) : .documented
        let (draft, issues) = StrategyValidator.validate(input, catalogue: catalogue)
        guard let draft else { throw StrategyRecordError.invalid(issues) }
        return draft
    }

    /// `GET /api/v1/strategies`: a `Page<StrategyRecord>` whose items PostgreSQL encodes.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let filter = StrategyFilter(
            strategyType: QueryValue.choice(query, "strategy_type", StrategyType.self, errors: &errors),
            status: QueryValue.choice(query, "status", StrategyStatus.self, errors: &errors),
            engine: QueryValue.choice(query, "engine", StrategyEngine.self, errors: &errors))
        let sort = QueryValue.choice(query, "sort", StrategySort.self, errors: &errors) ?? ListSort(.createdAt, descending: true)
        let search = QueryValue.text(query, "q", 0...200, errors: &errors)
        let tag = QueryValue.text(query, "tag", 1...50, errors: &errors)
        try QueryValue.check(errors)
        var full = filter
        full.search = search.flatMap { $0.isEmpty ? nil : $0 }
        full.tag = tag
        let (items, total) = try store.listJSON(owner: principal.ownerScope, filter: full, sort: sort, limit: page.limit, offset: page.offset)
        var body: [UInt8] = []
        body.reserveCapacity(items.utf8.count + 64)
        body += "{\"items\":".utf8
        body += items.utf8
        body += ",\"limit\":\(page.limit),\"offset\":\(page.offset),\"total\":\(total)}".utf8
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `POST /api/v1/strategies`: 201 with `Location` and `ETag`.
    public func create(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let body = try request.decode(StrategyBody.self)
        let strategy = try store.insert(try validated(body.input), owner: principal.userID)
        return try Self.respond(strategy, status: .created, location: "/api/v1/strategies/\(strategy.id)")
    }

    /// `GET /api/v1/strategies/:id`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        try Self.respond(try strategy(context))
    }

    /// `PUT /api/v1/strategies/:id`.
    public func replace(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let current = try strategy(context)
        let expected = try Versioning.expectedVersion(request, of: "strategy")
        let body = try request.decode(StrategyBody.self)
        let draft = try validated(body.input)
        return try Self.respond(try store.update(id: current.id, owner: current.ownerId, with: draft, expectedVersion: expected))
    }

    /// `PATCH /api/v1/strategies/:id`.
    public func update(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let current = try strategy(context)
        let expected = try Versioning.expectedVersion(request, of: "strategy")
        let change = try request.decode(StrategyChange.self)
        let draft = try validated(change.input(over: current))
        return try Self.respond(try store.update(id: current.id, owner: current.ownerId, with: draft, expectedVersion: expected))
    }

    /// `DELETE /api/v1/strategies/:id`: 204; 409 while one of its runs is live (stop it first).
    public func delete(_ request: Request, _ context: AuthenticatedContext) throws -> NoContent {
        let current = try strategy(context)
        let expected = try Versioning.expectedVersion(request, of: "strategy")
        if current.status == .active, try store.hasLiveRuns(strategyID: current.id) {
            throw Problem(.conflict, detail: "The strategy has a live run; stop it first (POST /api/v1/strategies/\(current.id)/stop).")
        }
        try store.delete(id: current.id, owner: current.ownerId, expectedVersion: expected)
        return NoContent()
    }

    /// The body of `POST /api/v1/strategies/:id/clone`.
    struct CloneBody: Decodable {
        var name: String
    }

    /// `POST /api/v1/strategies/:id/clone`: 201 with the copy.
    public func clone(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let current = try strategy(context)
        let body = try request.decode(CloneBody.self)
        var issues: [ValidationIssue] = []
        let name = StrategyValidator.nameRules.normalize(body.name, issues: &issues)
        guard issues.isEmpty else { throw StrategyRecordError.invalid(issues) }
        let copy = try store.clone(current, name: name)
        return try Self.respond(copy, status: .created, location: "/api/v1/strategies/\(copy.id)")
    }

    /// `GET /api/v1/strategies/kinds`.
    public func kinds(_ request: Request, _ context: AuthenticatedContext) throws -> StrategyKinds {
        StrategyKinds(
            items: StrategyRegistry.descriptors.map { StrategyKind($0) } + PortfolioRegistry.descriptors.map { StrategyKind($0, portfolio: true) })
    }
}
