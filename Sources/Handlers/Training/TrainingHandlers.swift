import JobRuntime
import Models
import Quant
import Support
import TMFcgi

extension TrainingJob: ResponseEncodable {}

/// Routes under `/api/v1/training`: start a training of a strategy (a parameter search of a
/// builtin strategy, a TradeMaster run of a trademaster one), follow it, stop it, apply its
/// best parameters, and fetch its result plot.
struct TrainingHandlers: Sendable {
    let store: TrainingStore
    let idempotency: IdempotencyStore

    /// The body of `POST /api/v1/training/start`.
    public struct StartBody: Codable, Sendable {
        /// The strategy to train.
        public var strategyId: Int64
        /// The dataset: the bars of a search; for TradeMaster, sent with upload_csv.
        public var datasetId: Int64?
        /// A label.
        public var name: String?
        /// Search: `{method, space, max_trials, objective, split, seed?, symbol?}`; TradeMaster:
        /// overrides of the strategy's config (`dataset_name`, `agent_name`, `start_date`, …).
        public var config: JSONDocument?
    }

    /// The answer of a stop.
    public struct StopAnswer: ResponseEncodable, Codable, Sendable {
        /// The training, as it is now.
        public var training: TrainingJob
        /// What the stop did (and what it cannot do).
        public var notice: String
    }

    /// The answer of an apply.
    public struct ApplyAnswer: ResponseEncodable, Codable, Sendable {
        /// The training applied.
        public var trainingId: Int64
        /// The strategy written.
        public var strategyId: Int64
        /// Its new version.
        public var version: Int64
        /// Its parameters now.
        public var parameters: [String: Double]
    }

    /// `POST /api/v1/training/start`.
    public func start(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let (body, meaning) = try request.decodeWithMeaning(StartBody.self)
        var errors: [FieldError] = []
        var name: String?
        if let raw = body.name {
            var issues: [ValidationIssue] = []
            name = TextField(field: "/name", label: "Name", code: "name", lengths: 1...200).normalize(raw, issues: &issues)
            errors += issues.map { FieldError(pointer: $0.field, detail: $0.message) }
        }
        guard body.strategyId > 0, let strategy = try store.strategy(id: body.strategyId, owner: principal.userID) else {
            throw Problem.notYours("strategy", body.strategyId, at: "/strategy_id")
        }
        if let datasetID = body.datasetId, try datasetID <= 0 || !store.datasetExists(id: datasetID, owner: principal.userID) {
            throw Problem.notYours("dataset", datasetID, at: "/dataset_id")
        }
        let config = body.config ?? .object([:])
        let draft: TrainingStore.Draft
        let jobKind: String
        if strategy.engine == "builtin" {
            if body.datasetId == nil { errors.append(FieldError(pointer: "/dataset_id", detail: "a parameter search needs a dataset")) }
            var search: SearchRequest?
            do { search = try SearchRequest.parse(config, strategy: strategy) } catch {
                errors += error.issues.map { FieldError(pointer: $0.field, detail: $0.message) }
            }
            let trials = search?.search.candidateCount
            if let symbol = search?.symbol, let datasetID = body.datasetId, try !store.dataset(id: datasetID, holds: symbol) {
                errors.append(FieldError(pointer: "/config/symbol", detail: "dataset \(datasetID) has no symbol \(symbol)"))
            }
            guard errors.isEmpty else { throw Problem.validation(errors) }
            draft = TrainingStore.Draft(
                kind: "parameter_search", strategy: strategy, datasetID: body.datasetId, name: name,
                config: config, totalTrials: trials)
            jobKind = TrainingKinds.parameterSearch
        } else {
            errors += Self.checkTradeMasterConfig(config)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            draft = TrainingStore.Draft(kind: "trademaster", strategy: strategy, datasetID: body.datasetId, name: name, config: config)
            jobKind = TrainingKinds.tradeMaster
        }
        let owner = principal.userID
        return try IdempotentCommand(store: idempotency).run(request, owner: owner, route: "POST /api/v1/training/start", meaning: meaning) { tx in
            let (training, jobs) = try store.insert(draft, owner: owner, jobKind: jobKind, in: tx)
            return try IdempotentCommand.Done(training, status: .accepted, location: "/api/v1/training/\(training.id)") { [store] in
                store.queue.announce(jobs)
            }
        }
    }

    /// TradeMaster overrides: only the train fields, as strings of sane length.
    static func checkTradeMasterConfig(_ config: JSONDocument) -> [FieldError] {
        guard case .object(let members) = config else { return [FieldError(pointer: "/config", detail: "config must be an object")] }
        var errors: [FieldError] = []
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            guard ["task_name", "dataset_name", "optimizer_name", "loss_name", "agent_name", "start_date", "end_date"].contains(key) else {
                errors.append(
                    FieldError(
                        pointer: "/config/\(key)",
                        detail:
                            "unknown field; TradeMaster takes task_name, dataset_name, optimizer_name, loss_name, agent_name, start_date, end_date"))
                continue
            }
            guard let text = value.stringValue, (1...200).contains(text.count),
                !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                errors.append(FieldError(pointer: "/config/\(key)", detail: "must be a string of 1 to 200 characters"))
                continue
            }
        }
        return errors
    }

    /// `GET /api/v1/training?status=&strategy_id=`.
    public func list(_ request: Request, _ context: AuthenticatedContext) throws -> Page<TrainingJob> {
        try page(request, context, kinds: ["parameter_search", "trademaster"], byStrategy: true)
    }

    /// A page of the caller's trainings (everyone's for admins) of `kinds`, newest first,
    /// filtered by `status` and, when `byStrategy`, by `strategy_id`.
    func page(_ request: Request, _ context: AuthenticatedContext, kinds: [String], byStrategy: Bool) throws -> Page<TrainingJob> {
        let query = try request.queryItems
        var errors: [FieldError] = []
        let page = PageRequest.parse(query, errors: &errors)
        let status = QueryValue.choice(query, "status", JobStatus.self, errors: &errors)?.rawValue
        let strategyID = byStrategy ? QueryValue.integer(query, "strategy_id", 1...Int(Int64.max >> 1), errors: &errors).map(Int64.init) : nil
        try QueryValue.check(errors)
        let (items, total) = try store.list(
            owner: context.principal.ownerScope, kinds: kinds, status: status, strategyID: strategyID, limit: page.limit, offset: page.offset)
        return Page(items: items, total: total, request: page)
    }

    /// `GET /api/v1/training/:id` and `…/status`.
    public func show(_ request: Request, _ context: AuthenticatedContext) throws -> TrainingJob {
        try training(context)
    }

    /// The training of the path's id, the caller's (any for admins), or 404.
    func training(_ context: AuthenticatedContext, kinds: Set<String> = ["parameter_search", "trademaster"]) throws -> TrainingJob {
        try context.owned(
            { try store.find(id: $0, owner: $1).flatMap { kinds.contains($0.kind) ? $0 : nil } },
            orThrow: { Problem(.notFound, detail: "No training \($0).") })
    }

    /// `POST /api/v1/training/:id/stop`: the job is cancelled (queued) or asked to stop
    /// (running); a finished one is a 409.
    public func stop(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let training = try training(context)
        return try Self.stop(training, store: store, context: context)
    }

    static func stop(_ training: TrainingJob, store: TrainingStore, context: AuthenticatedContext) throws -> Response {
        guard let jobID = training.jobId, !training.isFinished else {
            throw Problem(.conflict, detail: "Training \(training.id) has already finished (\(training.status)).")
        }
        let outcome = try store.queue.cancel(id: jobID, owner: nil)
        let tradeMaster = training.kind != "parameter_search"
        let notice: String
        let status: HTTPStatus
        switch outcome {
        case .cancelled:
            (notice, status) = ("Cancelled before it started.", .ok)
        case .requested:
            notice =
                tradeMaster
                ? "Marked cancelled: polling of the TradeMaster session stops now. The TradeMaster service cannot cancel a run, so its process keeps running to its end on the service."
                : "Stopping: the search ends after the trials in progress."
            status = .accepted
            if tradeMaster {
                try store.record(id: training.id, log: training.log + ["stop requested: polling stops; TradeMaster cannot cancel its own process"])
            }
        case .finished(let job):
            throw Problem(.conflict, detail: "Training \(training.id) has already finished (\(job.status.rawValue)).")
        case .notFound:
            throw Problem(.notFound, detail: "No training \(training.id).")
        }
        let now = try store.find(id: training.id, owner: nil) ?? training
        return try JSONCoding.response(StopAnswer(training: now, notice: notice), status: status)
    }

    /// `POST /api/v1/training/:id/apply`: a succeeded search's best parameters become the
    /// strategy's, as a new version.
    public func apply(_ request: Request, _ context: AuthenticatedContext) throws -> ApplyAnswer {
        let principal = context.principal
        let training = try training(context)
        guard training.kind == "parameter_search" else {
            throw Problem(.conflict, detail: "Only a parameter search has parameters to apply.")
        }
        guard training.status == .succeeded, case .object(let best)? = training.result?["best_parameters"],
            let strategyID = training.strategyId
        else {
            throw Problem(.conflict, detail: "Training \(training.id) has not succeeded (\(training.status)).")
        }
        let parameters = best.dictionary.compactMapValues(\.doubleValue)
        let outcome: TrainingStore.ApplyOutcome
        do {
            outcome = try store.apply(id: training.id, strategyID: strategyID, owner: training.ownerId, parameters: parameters)
        } catch StrategyRecordError.stale {
            throw Problem(.conflict, detail: "The strategy changed meanwhile; apply again.")
        } catch StrategyRecordError.invalid(let issues) {
            throw Problem(
                .conflict,
                detail: "The strategy no longer accepts these parameters: "
                    + issues.map(\.message).joined(separator: " "))
        }
        _ = principal
        switch outcome {
        case .applied(let version, let stored):
            return ApplyAnswer(trainingId: training.id, strategyId: strategyID, version: version, parameters: stored)
        case .strategyMissing:
            throw Problem(.conflict, detail: "The strategy of training \(training.id) no longer exists.")
        }
    }

    /// `GET /api/v1/training/:id/plot.png`.
    public func plotImage(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let training = try training(context)
        return try Self.image(store: store, id: training.id, name: "result", missing: "Training \(training.id) has no result plot.")
    }

    static func image(store: TrainingStore, id: Int64, name: String, missing: String) throws -> Response {
        guard let png = try store.image(id: id, owner: nil, name: name) else { throw Problem(.notFound, detail: missing) }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "image/png")
        headers.add("Cache-Control", "private, max-age=3600")
        return Response(status: .ok, headers: headers, body: png)
    }
}
