import Foundation
import JobRuntime
import PostgresClient
import Support

/// The `data.preprocess` job: a preprocessing whose source has more rows than a request may
/// handle (`TM_SYNC_MAX_ROWS`). Its payload carries what the request validated; its result
/// is `{dataset_id}`. One attempt: a retry after a lost lease would meet its own name (409).
public enum PreprocessJob {
    /// The kind.
    public static let kind = "data.preprocess"

    /// The job draft for a validated request.
    public static func draft(
        datasetID: Int64, owner: Int64, name: String, description: String, steps: [PreprocessStep],
        limits: UploadLimits
    ) throws -> JobQueue.Draft {
        let stepsJSON = String(decoding: try DatasetStore.encoder.encode(steps), as: UTF8.self)
        guard let stepsDocument = JSONDocument(json: stepsJSON) else { throw JobFailure("steps are not JSON", retryable: false) }
        return JobQueue.Draft(
            kind: kind,
            payload: .object([
                "dataset_id": .integer(datasetID), "name": .string(name), "description": .string(description), "steps": stepsDocument,
                "max_rows": .integer(Int64(limits.maximumRows)), "quota_bytes": .integer(limits.quotaBytes),
            ]), ownerID: owner, maxAttempts: 1)
    }

    /// Registers the kind.
    static func register(on registry: inout JobRegistry) {
        registry.register(kind, run)
    }

    static func run(_ context: JobContext) throws -> JobCompletion {
        let payload = context.payload
        guard let owner = context.job.ownerID, let id = payload["dataset_id"]?.intValue, let name = payload["name"]?.stringValue,
            let stepsDocument = payload["steps"], let maxRows = payload["max_rows"]?.intValue,
            let quota = payload["quota_bytes"]?.intValue
        else {
            throw JobFailure("data.preprocess: the payload lacks dataset_id, name, steps or limits", retryable: false)
        }
        let steps: [PreprocessStep]
        do {
            steps = try DatasetStore.decoder.decode([PreprocessStep].self, from: Data(stepsDocument.json.utf8))
        } catch {
            throw JobFailure("data.preprocess: the steps do not decode", retryable: false)
        }
        let store = DatasetStore(database: context.database)
        guard let source = try store.find(id: Int64(id), owner: owner) else {
            throw JobFailure("data.preprocess: dataset \(id) no longer exists", retryable: false)
        }
        try context.reportProgress(0, message: "reading")
        let preprocessor = DatasetPreprocessor(store: store, limits: UploadLimits(maximumRows: maxRows, quotaBytes: Int64(quota)))
        do {
            // The dataset commits with the job's success: a retry never stores it twice.
            var committed: Job?
            _ = try preprocessor.run(
                source: source, owner: owner, name: name, description: payload["description"]?.stringValue ?? "",
                steps: steps, progress: { try context.reportProgress($0, message: "preprocessing") },
                beforeCommit: { tx, dataset in
                    committed = try context.succeed(result: .object(["dataset_id": .integer(dataset.id)]), in: tx)
                })
            guard let committed else { throw JobFailure("data.preprocess: no dataset was stored", retryable: false) }
            return .committed(committed)
        } catch let error as DatasetError {
            throw JobFailure("data.preprocess: \(error.summary)", retryable: false)
        }
    }
}

extension DatasetError {
    /// A short sentence for a job's message (no user data beyond names).
    var summary: String {
        switch self {
        case .badFile(let detail): return detail
        case .lineTooLong: return "a line is too long"
        case .invalidRows(_, let count): return "the result has \(count) invalid values"
        case .tooManyRows(let limit): return "the result exceeds \(limit) rows"
        case .quotaExceeded: return "the storage quota is exceeded"
        case .uploadBudgetExceeded: return "the upload budget is spent"
        case .diskFull: return "the server is out of storage"
        case .nameTaken: return "a dataset with this name already exists"
        case .notFound: return "no such dataset"
        case .stale: return "the dataset changed meanwhile"
        case .stepFailed(let pointer, let detail): return "\(pointer): \(detail)"
        case .inUse(let runs): return "\(runs) runs use the dataset"
        case .importRefused(let reason): return reason
        }
    }
}
