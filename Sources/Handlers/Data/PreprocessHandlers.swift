import Foundation
import JobRuntime
import Models
import PostgresClient
import Quant
import TMFcgi

/// `POST /api/v1/data/preprocess`: a new dataset derived from one of the caller's, by steps
/// applied per symbol with the Quant functions: within the request up to `TM_SYNC_MAX_ROWS`
/// source rows (201), as a `data.preprocess` job above (202 with the job).
struct PreprocessHandlers: Sendable {
    let store: DatasetStore
    let limits: UploadLimits
    let maximumRows: Int
    /// The most values (rows × columns) a preprocess may hold (`TM_PREPROCESS_MAX_CELLS`).
    let maximumCells: Int
    let queue: JobQueue

    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/data/preprocess", .caller(.create),
            doc: RouteDoc(
                "Derive a dataset: resample, clean, add indicators and features, normalize, split", tag: "data",
                description: """
                    Steps run in order on each symbol with the Quant functions. Row steps first: `resample` (to: 5min…1d, OHLCV \
                    aggregation, buckets aligned on the dataset's timezone), `clip_outliers` and `drop_outliers` (z on close-to-close returns, default 3; clipping rebuilds \
                    the close from the clipped returns and scales the bar). Then column steps: `indicators` (sma, ema, rsi, macd, \
                    bollinger, atr; columns like sma_20), `trademaster_features` (zopen, zhigh, zlow, zclose, zd_5…zd_30), \
                    `fill_missing` (method ffill, bfill, interpolate or drop, over added columns), `normalize` (method zscore or \
                    minmax over added columns, or open…volume as new `<name>_<method>` columns, fitted on the first `train` \
                    fraction: the split step's, else 0.7), `split` (train/valid/test fractions, chronological per symbol, stored \
                    as a column `split`: 0 train, 1 valid, 2 test). Every step is checked before any work (422 at its pointer). \
                    Up to TM_SYNC_MAX_ROWS source rows the answer is 201 with the dataset; above, 202 with the queued \
                    data.preprocess job (Location: the job; its result holds dataset_id).
                    """,
                body: Body.self, response: Dataset.self, status: 201, errors: [404, 409, 413, 507],
                example: .object([
                    ("dataset_id", .integer(1)), ("name", .string("AAPL hourly with SMA")),
                    (
                        "steps",
                        .array([
                            .object([("op", .string("resample")), ("to", .string("1h"))]),
                            .object([
                                ("op", .string("indicators")),
                                ("indicators", .array([.object([("name", .string("sma")), ("window", .integer(20))])])),
                            ]),
                        ])
                    ),
                ])),
            use: preprocess)
    }

    /// The request body.
    struct Body: Codable {
        var datasetId: Int64
        var name: String
        var description: String?
        var steps: [PreprocessStep]
    }

    /// `POST /api/v1/data/preprocess`.
    public func preprocess(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let principal = context.principal
        let body = try request.decode(Body.self)
        var issues: [ValidationIssue] = []
        let name = UploadForm.nameRules.normalize(body.name, issues: &issues)
        let description = UploadForm.descriptionRules.normalize(body.description ?? "", issues: &issues)
        guard body.datasetId > 0, let source = try store.find(id: body.datasetId, owner: principal.ownerScope) else {
            throw Problem.notYours("dataset", body.datasetId, at: "/dataset_id")
        }
        var errors = issues.map { FieldError(pointer: "/" + $0.field, detail: $0.message) }
        errors += PreprocessStep.validate(body.steps).map { FieldError(pointer: $0.field, detail: $0.message) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        // Bounded before any work: every column of every row is held in memory at once.
        let columns = source.columns.count + PreprocessStep.addedColumns(body.steps).count
        let (cells, overflow) = Int(source.rowCount).multipliedReportingOverflow(by: columns)
        guard !overflow, cells <= maximumCells else {
            throw Problem.validation([
                FieldError(
                    pointer: "/steps",
                    detail: "the steps would hold \(source.rowCount) rows × \(columns) columns in memory, more than the limit of "
                        + "\(maximumCells) values (TM_PREPROCESS_MAX_CELLS): add fewer columns or preprocess part of the data")
            ])
        }
        guard source.rowCount <= Int64(maximumRows) else {
            let draft = try PreprocessJob.draft(
                datasetID: source.id, owner: principal.userID, name: name, description: description,
                steps: body.steps, limits: limits)
            guard let job = try queue.enqueue(draft).first else { throw Problem(.serviceUnavailable, detail: "The job was not queued.") }
            var response = try JSONCoding.response(job, status: .accepted)
            response.headers.add("Location", "/api/v1/jobs/\(job.id)")
            return response
        }
        let dataset = try DatasetPreprocessor(store: store, limits: limits)
            .run(source: source, owner: principal.userID, name: name, description: description, steps: body.steps)
        return try DatasetHandlers.respond(dataset, status: .created, location: "/api/v1/data/datasets/\(dataset.id)")
    }
}
