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
    /// The synchronous path, over the dataset store and the upload limits the new dataset is held to.
    let preprocessor: DatasetPreprocessor
    /// The most source rows preprocessed within the request (`TM_SYNC_MAX_ROWS`).
    let maximumRows: Int
    /// The most values (rows × columns) a preprocess may hold (`TM_PREPROCESS_MAX_CELLS`).
    let maximumCells: Int
    let queue: JobQueue

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
        guard body.datasetId > 0, let source = try preprocessor.store.find(id: body.datasetId, owner: principal.ownerScope) else {
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
                steps: body.steps, limits: preprocessor.limits)
            guard let job = try queue.enqueue(draft).first else { throw Problem(.serviceUnavailable, detail: "The job was not queued.") }
            var response = try JSONCoding.response(job, status: .accepted)
            response.headers.add("Location", "/api/v1/jobs/\(job.id)")
            return response
        }
        let dataset = try preprocessor.run(source: source, owner: principal.userID, name: name, description: description, steps: body.steps)
        return try DatasetHandlers.respond(dataset, status: .created, location: "/api/v1/data/datasets/\(dataset.id)")
    }
}
