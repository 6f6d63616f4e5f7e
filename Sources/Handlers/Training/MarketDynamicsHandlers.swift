import Foundation
import JobRuntime
import Models
import Support
import TMFcgi
import TradeMasterAPI

/// Routes under `/api/v1/analysis/market-dynamics`: TradeMaster's market-dynamics
/// modelling (labelling a dataset into market styles, saving the labels, testing one label's
/// dynamics), each step a job; the images the service draws are kept and served here.
struct MarketDynamicsHandlers: Sendable {
    let store: TrainingStore
    let client: TradeMasterClient

    /// The body of `POST /api/v1/analysis/market-dynamics`.
    public struct StartBody: Codable, Sendable {
        /// A dataset of the TradeMaster service (`dataset_name`), or …
        public var datasetName: String?
        /// … one of ours, sent with upload_csv.
        public var datasetId: Int64?
        /// First day, `YYYY-MM-DD`.
        public var startDate: String
        /// Last day, `YYYY-MM-DD`.
        public var endDate: String
        /// Market styles (labels) to find, 2–10.
        public var numberOfMarketStyle: Int
        /// `quantile` or `slope`.
        public var labelingMethod: String
        /// A label for the analysis.
        public var name: String?
        /// Further scalar parameters of the service (`length_limit`, `filter_strength`, …).
        public var options: JSONDocument?
    }

    /// The body of `POST …/{id}/dynamics-test`.
    public struct DynamicsTestBody: Codable, Sendable {
        /// The market style to test (0 ..< number_of_market_style).
        public var label: Int
    }

    /// Adds the routes.
    public func register(on routes: inout Routes) {
        let base = "/api/v1/analysis/market-dynamics"
        routes.post(
            base, .caller(.run),
            doc: RouteDoc(
                "Label a dataset's market dynamics with TradeMaster (a job)", tag: "analysis",
                description: "202 with the analysis and Location; the job runs start_market_dynamics_labeling and polls MDM_status.",
                body: StartBody.self, response: TrainingJob.self, status: 202, errors: [404],
                example: .object([
                    ("dataset_name", .string("algorithmic_trading:BTC")), ("start_date", .string("2020-01-01")),
                    ("end_date", .string("2021-01-01")), ("number_of_market_style", .integer(3)),
                    ("labeling_method", .string("quantile")),
                ])), use: start)
        routes.get(
            base, .caller(.read),
            doc: RouteDoc(
                "The caller's market-dynamics analyses, newest first", tag: "analysis",
                query: [.string("status", "queued, running, succeeded, failed or cancelled.")], paged: true), use: list)
        routes.get(base + "/:id", .caller(.read), doc: RouteDoc("One market-dynamics analysis", tag: "analysis"), use: show)
        routes.post(
            base + "/:id/save", .caller(.run),
            doc: RouteDoc(
                "Save a finished labelling on the TradeMaster service (needed before a dynamics test)", tag: "analysis",
                response: TrainingJob.self, status: 200, errors: [409, 503]), use: save)
        routes.post(
            base + "/:id/dynamics-test", .caller(.run),
            doc: RouteDoc(
                "Test one market style's dynamics (a job; keeps the radar plot)", tag: "analysis",
                body: DynamicsTestBody.self, response: TrainingJob.self, status: 202, errors: [409]), use: dynamicsTest)
        routes.post(
            base + "/:id/stop", .caller(.run),
            doc: RouteDoc(
                "Stop the running step (TradeMaster cannot cancel its own process)", tag: "analysis",
                response: TrainingHandlers.StopAnswer.self, status: 200, errors: [409], alsoWithBody: [202]), use: stop)
        var image = RouteDoc(
            "An image of the analysis: visualization.png, analysis.png or radar_{label}.png", tag: "analysis",
            stringParameters: ["name"])
        image.status = 200
        image.otherMediaTypes = ["image/png"]
        routes.get(base + "/:id/images/:name", .caller(.read), doc: image, use: imageFile)
    }

    /// `POST /api/v1/analysis/market-dynamics`.
    public func start(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let body = try request.decode(StartBody.self)
        var errors: [FieldError] = []
        var config: [String: JSONDocument] = [:]
        switch (body.datasetName, body.datasetId) {
        case (let name?, nil):
            if (1...200).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                config["dataset_name"] = .string(name)
            } else {
                errors.append(FieldError(pointer: "/dataset_name", detail: "must be 1 to 200 characters without control characters"))
            }
        case (nil, let id?):
            if try id <= 0 || !store.datasetExists(id: id, owner: principal.userID) {
                throw Problem.notYours("dataset", id, at: "/dataset_id")
            }
        default:
            errors.append(FieldError(pointer: "/dataset_name", detail: "give exactly one of dataset_name and dataset_id"))
        }
        let start = Self.day(body.startDate)
        let end = Self.day(body.endDate)
        if start == nil { errors.append(FieldError(pointer: "/start_date", detail: "must be a date YYYY-MM-DD")) }
        if end == nil { errors.append(FieldError(pointer: "/end_date", detail: "must be a date YYYY-MM-DD")) }
        if let start, let end, start >= end { errors.append(FieldError(pointer: "/end_date", detail: "must be after start_date")) }
        if !(2...10).contains(body.numberOfMarketStyle) {
            errors.append(FieldError(pointer: "/number_of_market_style", detail: "must be an integer in 2...10"))
        }
        if !["quantile", "slope"].contains(body.labelingMethod) {
            errors.append(FieldError(pointer: "/labeling_method", detail: "must be quantile or slope"))
        }
        var name: String?
        if let raw = body.name {
            var issues: [ValidationIssue] = []
            name = TextField(field: "/name", label: "Name", code: "name", lengths: 1...200).normalize(raw, issues: &issues)
            errors += issues.map { FieldError(pointer: $0.field, detail: $0.message) }
        }
        switch body.options {
        case nil, .null?: break
        case .object(let options)?:
            for (key, value) in options.sorted(by: { $0.key < $1.key }) {
                let reserved = [
                    "dataset_name", "dataset_id", "start_date", "end_date", "startDate", "endDate", "session_id",
                    "number_of_market_style", "labeling_method",
                ]
                guard (1...40).contains(key.count),
                    key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" || ("0"..."9").contains($0) }),
                    !reserved.contains(key)
                else {
                    errors.append(FieldError(pointer: "/options/\(key.prefix(40))", detail: "must be a lower-case name (not one of the main fields)"))
                    continue
                }
                switch value {
                case .integer, .bool: config[key] = value
                case .number(let n) where n.isFinite: config[key] = value
                case .string(let s) where s.count <= 200 && !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
                    config[key] = value
                default: errors.append(FieldError(pointer: "/options/\(key)", detail: "must be a number, a boolean or a short string"))
                }
            }
        default:
            errors.append(FieldError(pointer: "/options", detail: "must be an object"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        config["start_date"] = .string(body.startDate)
        config["end_date"] = .string(body.endDate)
        config["number_of_market_style"] = .integer(Int64(body.numberOfMarketStyle))
        config["labeling_method"] = .string(body.labelingMethod)
        let analysis = try store.create(
            TrainingStore.Draft(
                kind: "market_dynamics", strategy: nil, datasetID: body.datasetId, name: name,
                config: .object(config)),
            owner: principal.userID, jobKind: TrainingKinds.marketDynamics)
        var response = try JSONCoding.response(analysis, status: .accepted)
        response.headers.add("Location", "/api/v1/analysis/market-dynamics/\(analysis.id)")
        return response
    }

    /// `YYYY-MM-DD` as days since 1970, or nil.
    static func day(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1900...2200).contains(y), (1...12).contains(m)
        else { return nil }
        guard (1...CivilCalendar.daysIn(month: m, year: y)).contains(d) else { return nil }
        return CivilCalendar.days(year: y, month: m, day: d)
    }

    /// `GET /api/v1/analysis/market-dynamics`.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<TrainingJob> {
        let principal = context.principal
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let status = TrainingHandlers.status(query, errors: &errors)
        try QueryValue.check(errors)
        let (items, total) = try store.list(
            owner: principal.ownerScope, kinds: ["market_dynamics"], status: status,
            strategyID: nil, limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/analysis/market-dynamics/:id`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> TrainingJob {
        try analysis(context)
    }

    func analysis(_ context: AuthenticatedContext) throws -> TrainingJob {
        try TrainingHandlers(store: store, idempotency: IdempotencyStore(database: store.database)).training(context, kinds: ["market_dynamics"])
    }

    /// `POST …/:id/save`: calls `save_market_dynamics_labeling` now (a quick call).
    public func save(_ request: Request, _ context: AuthenticatedContext) throws -> TrainingJob {
        let analysis = try analysis(context)
        guard analysis.status == .succeeded || (analysis.step == "dynamics_test" && analysis.isFinished),
            let session = analysis.sessionId, analysis.result?["session_id"] != nil
        else {
            throw Problem(.conflict, detail: "The labelling of analysis \(analysis.id) has not finished (\(analysis.status)).")
        }
        do { _ = try client.saveMarketDynamicsLabeling(sessionID: session) } catch {
            throw Self.problem(error)
        }
        try store.markSaved(id: analysis.id)
        return try store.find(id: analysis.id, owner: nil) ?? analysis
    }

    /// `POST …/:id/dynamics-test {label}`.
    public func dynamicsTest(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let analysis = try analysis(context)
        let body = try request.decode(DynamicsTestBody.self)
        let styles = analysis.config["number_of_market_style"]?.intValue ?? 0
        guard (0..<max(styles, 1)).contains(body.label) else {
            throw Problem.validation([FieldError(pointer: "/label", detail: "must be an integer in 0...\(max(styles - 1, 0))")])
        }
        guard analysis.isFinished, analysis.savedAt != nil, analysis.sessionId != nil else {
            throw Problem(
                .conflict,
                detail: analysis.isFinished
                    ? "Save the labelling first (POST …/\(analysis.id)/save)."
                    : "Analysis \(analysis.id) is still \(analysis.status).")
        }
        let next = try store.enqueueStep(
            id: analysis.id, owner: principal.userID == analysis.ownerId ? principal.userID : analysis.ownerId,
            jobKind: TrainingKinds.dynamicsTest, payload: ["label": .string(String(body.label))])
        var response = try JSONCoding.response(next, status: .accepted)
        response.headers.add("Location", "/api/v1/analysis/market-dynamics/\(analysis.id)")
        return response
    }

    /// `POST …/:id/stop`.
    public func stop(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        try TrainingHandlers.stop(try analysis(context), store: store, context: context)
    }

    /// `GET …/:id/images/:name`.
    public func imageFile(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let analysis = try analysis(context)
        guard let file = context.parameters["name"], file.hasSuffix(".png"), file.count <= 50 else {
            throw Problem(.notFound, detail: "No such image.")
        }
        let name = String(file.dropLast(4))
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw Problem(.notFound, detail: "No such image.")
        }
        return try TrainingHandlers.image(store: store, id: analysis.id, name: name, missing: "Analysis \(analysis.id) has no image \(file).")
    }

    /// The problem of a failed TradeMaster call: down → 503, a refusal → 409 with its info.
    static func problem(_ error: TradeMasterError) -> Problem {
        switch error {
        case .unreachable, .circuitOpen:
            return Problem(
                .serviceUnavailable, title: "TradeMaster unavailable", detail: "The TradeMaster service is not reachable right now. Retry shortly.",
                headers: [("Retry-After", "5")])
        case .service(_, let info):
            return Problem(.conflict, detail: "TradeMaster refused: \(info.prefix(300))")
        case .malformed:
            return Problem(
                .serviceUnavailable, title: "TradeMaster unavailable", detail: "The TradeMaster service answered outside its contract.",
                headers: [("Retry-After", "5")])
        }
    }
}
