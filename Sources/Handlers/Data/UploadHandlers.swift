import Metrics
import Models
import TMFcgi

/// `POST /api/v1/data/upload`: a price file streamed into a new dataset.
public struct UploadHandlers: Sendable {
    let store: DatasetStore
    let limits: UploadLimits
    let budget: UploadBudget?
    let metrics: MetricsRegion?

    /// The largest upload body (nginx has the same limit on this route).
    public static let maximumBodyBytes = 256 << 20
    /// The most a gzipped body may expand to.
    static let maximumInflatedBytes = 2 << 30

    /// Handlers over `store` with `limits`, each user's bytes counted against `budget`, counting
    /// uploads in `metrics`.
    public init(store: DatasetStore, limits: UploadLimits, budget: UploadBudget? = nil, metrics: MetricsRegion? = nil) {
        self.store = store
        self.limits = limits
        self.budget = budget
        self.metrics = metrics
    }

    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/data/upload", .caller(.create), options: RouteOptions(maxBodySize: Self.maximumBodyBytes),
            doc: RouteDoc(
                "Upload a price file (CSV, or gzipped CSV) as a new dataset", tag: "data",
                description: """
                    The body is multipart/form-data with a `file` part and the fields below, or the raw file as text/csv or \
                    application/gzip with the fields as query parameters. Layouts: wide (date,open,high,low,close[,volume], one \
                    symbol) or long (a tic/symbol column, as TradeMaster's files); other columns are kept as numbers. Rows may be \
                    unsorted. Bad data is refused whole: 422 with the first 100 errors (line, column, value, reason) and error_count.
                    """,
                response: Dataset.self, status: 201, errors: [409, 413, 415, 422, 429, 507],
                query: [
                    .string("name", "The dataset's name (unique per user, case-insensitive).", maxLength: 200),
                    .string("description", "Free text.", maxLength: 2000),
                    .string("tags", "Comma-separated labels.", maxLength: 1100),
                    .string("timezone", "The exchange's IANA time zone (metadata; default UTC).", maxLength: 64),
                    .string("symbol", "A wide file's symbol (default: the file name, else the name).", maxLength: 64),
                    .choice("dedupe", ["first", "last"], "Keep the first or last of duplicate (symbol, time) rows instead of refusing them."),
                ]), use: upload)
    }

    /// Streams the body through the parser into PostgreSQL; 201 with the dataset. Counts the
    /// outcome and the rows stored.
    public func upload(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        do {
            let dataset = try store(request, owner: principal.userID)
            count("stored")
            metrics?.add(MetricCatalog.datasetRowsLoaded, UInt64(max(dataset.rowCount, 0)))
            return try DatasetHandlers.respond(dataset, status: .created, location: "/api/v1/data/datasets/\(dataset.id)")
        } catch {
            count(Self.outcome(of: error))
            throw error
        }
    }

    private func count(_ outcome: String) {
        metrics?.add(MetricCatalog.series(MetricCatalog.datasetUploads, [("outcome", outcome)]))
    }

    /// The outcome label of a refused upload.
    static func outcome(of error: any Error) -> String {
        switch error {
        case let error as DatasetError:
            switch error {
            case .badFile, .lineTooLong, .invalidRows, .stepFailed: return "invalid"
            case .tooManyRows: return "too_large"
            case .quotaExceeded, .diskFull: return "quota"
            case .uploadBudgetExceeded: return "throttled"
            case .nameTaken, .inUse: return "conflict"
            case .importRefused: return "invalid"
            case .notFound, .stale: return "failed"
            }
        case let problem as Problem:
            switch problem.status.code {
            case 413: return "too_large"
            case 400, 415, 422: return "invalid"
            default: return "failed"
            }
        default: return "failed"
        }
    }

    private func store(_ request: Request, owner: Int64) throws -> Dataset {
        var form = UploadForm()
        for (key, value) in try request.queryItems where UploadForm.names.contains(key) { form.fields[key] = value }
        let mediaType = request.mediaType
        let dataset: Dataset
        switch mediaType {
        case "text/csv", "application/csv", "text/plain":
            let draft = try form.draft(filename: nil)
            dataset = try load(owner: owner, draft: draft) { upload in
                try request.body.forEachChunk { chunk in try chunk.withUnsafeBufferPointer { try upload.feed($0) } }
                return try form.draft(filename: nil)
            }
        case "application/gzip", "application/x-gzip":
            let draft = try form.draft(filename: nil)
            dataset = try load(owner: owner, draft: draft) { upload in
                let decoder = try GzipDecoder(maximumOutputBytes: Self.maximumInflatedBytes)
                try request.body.forEachChunk { chunk in try decoder.feed(chunk) { try upload.feed($0) } }
                try decoder.finish()
                return try form.draft(filename: nil)
            }
        case "multipart/form-data":
            var reader = try MultipartReader(body: request.body, contentType: request.headers["Content-Type"] ?? "")
            dataset = try loadMultipart(&reader, form: form, owner: owner)
        default:
            throw Problem(
                .unsupportedMediaType, detail: "Send the file as multipart/form-data, text/csv or application/gzip.",
                headers: [("Accept", "multipart/form-data, text/csv, application/gzip")])
        }
        return dataset
    }

    /// Runs `body` with a fresh upload and finishes it with the draft `body` returns; any
    /// error rolls the upload back.
    private func load(owner: Int64, draft: DatasetDraft, _ body: (DatasetUpload) throws -> DatasetDraft) throws -> Dataset {
        let upload = try DatasetUpload(store: store, owner: owner, limits: limits, draft: draft, meter: budget?.meter(owner: owner))
        do {
            let draft = try body(upload)
            return try upload.finish(draft)
        } catch {
            upload.abort()
            throw error
        }
    }

    private func loadMultipart(_ reader: inout MultipartReader, form: UploadForm, owner: Int64) throws -> Dataset {
        var form = form
        var upload: DatasetUpload?
        var filename: String?
        do {
            while let part = try reader.nextPart() {
                if part.name == "file" {
                    guard upload == nil else { throw Problem.validation([FieldError(pointer: "file", detail: "send one file")]) }
                    // Fields sent before the file let its rows go straight into bars.
                    let current = try DatasetUpload(
                        store: store, owner: owner, limits: limits, draft: try? form.draft(filename: part.filename),
                        meter: budget?.meter(owner: owner))
                    upload = current
                    filename = part.filename
                    let gzipped =
                        part.contentType == "application/gzip" || part.contentType == "application/x-gzip"
                        || (part.filename?.lowercased().hasSuffix(".gz") ?? false)
                    let decoder = gzipped ? try GzipDecoder(maximumOutputBytes: Self.maximumInflatedBytes) : nil
                    while let chunk = try reader.readChunk() {
                        if let decoder {
                            try decoder.feed(chunk) { try current.feed($0) }
                        } else {
                            try chunk.withUnsafeBufferPointer { try current.feed($0) }
                        }
                    }
                    try decoder?.finish()
                } else if UploadForm.names.contains(part.name) {
                    var value: [UInt8] = []
                    while let chunk = try reader.readChunk() {
                        value += chunk
                        if value.count > 4096 {
                            throw Problem.validation([FieldError(pointer: part.name, detail: "must be at most 4096 bytes")])
                        }
                    }
                    guard let text = String(validating: value, as: UTF8.self) else {
                        throw Problem.validation([FieldError(pointer: part.name, detail: "must be UTF-8 text")])
                    }
                    form.fields[part.name] = text
                } else {
                    while try reader.readChunk() != nil {}
                }
            }
            guard let upload else {
                throw Problem.validation([FieldError(pointer: "file", detail: "a file part named file is required")])
            }
            return try upload.finish(try form.draft(filename: filename))
        } catch {
            upload?.abort()
            throw error
        }
    }
}
