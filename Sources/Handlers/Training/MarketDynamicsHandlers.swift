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
        /// A succeeded TradeMaster training of the caller: the labelling is made in its
        /// session, so its agent can then be dynamics-tested on the labels. Without it there
        /// is no agent and `dynamics-test` is refused (409).
        public var trainingId: Int64?
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
        /// Further scalar parameters of the service, overriding its defaults for the dataset
        /// (from `evaluation_getParameters`): `min_length_limit`, `filter_strength`,
        /// `max_length_expectation`, `key_indicator`, `timestamp`, `tic`, `merging_metric`,
        /// `merging_threshold`, `merging_dynamic_constraint`.
        public var options: JSONDocument?
    }

    /// The body of `POST …/{id}/dynamics-test`.
    public struct DynamicsTestBody: Codable, Sendable {
        /// The market style to test (0 ..< number_of_market_style).
        public var label: Int
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
        if let trainingID = body.trainingId {
            let trained = trainingID > 0 ? try store.find(id: trainingID, owner: principal.userID) : nil
            guard let trained, trained.kind == "trademaster" else { throw Problem.notYours("training", trainingID, at: "/training_id") }
            if trained.status != .succeeded || trained.sessionId == nil {
                errors.append(
                    FieldError(
                        pointer: "/training_id",
                        detail: "training \(trainingID) is \(trained.status.rawValue): only a succeeded TradeMaster training has an agent to test"))
            }
            if body.datasetId != nil {
                errors.append(
                    FieldError(pointer: "/dataset_id", detail: "a labelling in a training's session uses a dataset of the service (dataset_name)"))
            }
            config["training_id"] = .integer(trainingID)
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
                    "dataset_name", "dataset_id", "training_id", "start_date", "end_date", "startDate", "endDate", "session_id",
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
        try trainings.page(request, context, kinds: ["market_dynamics"], byStrategy: false)
    }

    /// `GET /api/v1/analysis/market-dynamics/:id`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> TrainingJob {
        try analysis(context)
    }

    func analysis(_ context: AuthenticatedContext) throws -> TrainingJob {
        try trainings.training(context, kinds: ["market_dynamics"])
    }

    /// The training routes' handlers over the same store: an analysis is a training of kind
    /// `market_dynamics`, listed and found the same way.
    var trainings: TrainingHandlers {
        TrainingHandlers(store: store, idempotency: IdempotencyStore(database: store.database))
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
        guard analysis.config["training_id"] != nil else {
            throw Problem(
                .conflict,
                detail: """
                    Analysis \(analysis.id) was labelled without a trained agent, so there is nothing to test (TradeMaster's dynamics \
                    test runs an agent on the labels). Start a labelling with training_id of a succeeded TradeMaster training.
                    """)
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

    /// `GET …/:id/images/:name`: a PNG the service drew, or the analysis's CSV (`text/csv`)
    /// and that CSV as an SVG table.
    public func imageFile(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let analysis = try analysis(context)
        let missing = "Analysis \(analysis.id) has no file \(context.parameters["name"]?.prefix(50) ?? "")."
        guard let file = context.parameters["name"], file.count <= 50 else { throw Problem(.notFound, detail: missing) }
        if file == "analysis.csv" || file == "analysis.svg" {
            guard let csv = try store.image(id: analysis.id, owner: nil, name: AnalysisTable.storedName) else {
                throw Problem(.notFound, detail: missing)
            }
            var headers = HTTPHeaders()
            headers.add("Cache-Control", "private, max-age=3600")
            if file == "analysis.csv" {
                headers.add("Content-Type", "text/csv; charset=utf-8")
                headers.add("Content-Disposition", "attachment; filename=\"market-dynamics-\(analysis.id)-analysis.csv\"")
                return Response(status: .ok, headers: headers, body: csv)
            }
            guard let table = AnalysisTable(csv: String(decoding: csv, as: UTF8.self)) else { throw Problem(.notFound, detail: missing) }
            headers.add("Content-Type", "image/svg+xml")
            return Response(
                status: .ok, headers: headers, body: Array(AnalysisTableSVG.render(table, title: "Market dynamics analysis \(analysis.id)").utf8))
        }
        guard file.hasSuffix(".png") else { throw Problem(.notFound, detail: missing) }
        let name = String(file.dropLast(4))
        guard name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw Problem(.notFound, detail: missing)
        }
        return try TrainingHandlers.image(store: store, id: analysis.id, name: name, missing: missing)
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
