import CurlHTTP
import Foundation
import JobRuntime
import PostgresClient
import Support

/// The `data.import` job: downloads a CSV over HTTP(S) and loads it as an upload would.
/// The URL's host is resolved here, in the job, and every address checked
/// (``ImportAddressPolicy``) unless private addresses are allowed, and the transfer is pinned
/// to the checked address; the body goes to an unlinked temporary file (never held whole, no
/// transaction open while it arrives), capped at `max_bytes`, and the whole transfer at
/// `timeout_seconds`; then it is loaded as an upload, in one transaction. Redirects are not followed. Its result is
/// `{dataset_id}`. One attempt: a retry would meet its own name.
public enum ImportJob {
    /// The kind.
    public static let kind = "data.import"

    /// What the server allows an import besides the dataset limits: the same for every
    /// import, from the `TM_IMPORT_*` settings.
    public struct Options: Sendable {
        /// Whether private addresses may be fetched (`TM_IMPORT_ALLOW_PRIVATE`).
        public var allowPrivate: Bool
        /// The largest body (`TM_IMPORT_MAX_BYTES`).
        public var maxBytes: Int
        /// The deadline of the whole transfer (`TM_IMPORT_TIMEOUT_SECONDS`).
        public var timeoutSeconds: Int
        /// The dataset limits.
        public var limits: UploadLimits

        /// Options.
        public init(allowPrivate: Bool, maxBytes: Int, timeoutSeconds: Int, limits: UploadLimits) {
            self.allowPrivate = allowPrivate
            self.maxBytes = maxBytes
            self.timeoutSeconds = timeoutSeconds
            self.limits = limits
        }
    }

    /// The job draft of a validated request.
    public static func draft(_ draft: DatasetDraft, url: String, owner: Int64, options: Options) -> JobQueue.Draft {
        var payload: [String: JSONDocument] = [
            "url": .string(url), "name": .string(draft.name), "description": .string(draft.description),
            "symbol": .string(draft.symbol), "tags": .array(draft.tags.map { .string($0) }), "timezone": .string(draft.timezone),
            "allow_private": .bool(options.allowPrivate), "max_bytes": .integer(Int64(options.maxBytes)),
            "timeout_seconds": .integer(Int64(options.timeoutSeconds)),
            "max_rows": .integer(Int64(options.limits.maximumRows)), "quota_bytes": .integer(options.limits.quotaBytes),
        ]
        if let dedupe = draft.dedupe { payload["dedupe"] = .string(dedupe.rawValue) }
        return JobQueue.Draft(kind: kind, payload: .object(payload), ownerID: owner, maxAttempts: 1)
    }

    /// Registers the kind.
    static func register(on registry: inout JobRegistry) {
        registry.register(kind, run)
    }

    static func run(_ context: JobContext) throws -> JobCompletion {
        let p = context.payload
        guard let owner = context.job.ownerID, let url = p["url"]?.stringValue, let name = p["name"]?.stringValue,
            let symbol = p["symbol"]?.stringValue, let maxBytes = p["max_bytes"]?.intValue, let timeout = p["timeout_seconds"]?.intValue,
            let maxRows = p["max_rows"]?.intValue, let quota = p["quota_bytes"]?.intValue
        else {
            throw JobFailure("data.import: the payload lacks url, name, symbol or limits", retryable: false)
        }
        var tags: [String] = []
        if case .array(let items)? = p["tags"] { tags = items.compactMap(\.stringValue) }
        var draft = DatasetDraft(
            name: name, description: p["description"]?.stringValue ?? "", symbol: symbol, tags: tags,
            timezone: p["timezone"]?.stringValue ?? "UTC")
        draft.dedupe = p["dedupe"]?.stringValue.flatMap(DatasetDraft.Dedupe.init(rawValue:))
        let allowPrivate: Bool
        if case .bool(let value)? = p["allow_private"] { allowPrivate = value } else { allowPrivate = false }
        let options = Options(
            allowPrivate: allowPrivate, maxBytes: maxBytes, timeoutSeconds: timeout,
            limits: UploadLimits(maximumRows: maxRows, quotaBytes: Int64(quota)))
        do {
            try context.reportProgress(0, message: "downloading")
            // The download holds no transaction (it goes to a temporary file), so progress may be
            // written while it lasts; the dataset commits with the job's success: a retry never loads it twice.
            var committed: Job?
            _ = try load(
                draft, url: url, owner: owner, options: options, store: DatasetStore(database: context.database),
                progress: { received in try context.reportProgress(0, message: "downloading: \(received) bytes") },
                beforeCommit: { tx, dataset in
                    let result: JSONDocument = .object(["dataset_id": .integer(dataset.id), "row_count": .integer(dataset.rowCount)])
                    committed = try context.succeed(result: result, in: tx)
                })
            guard let committed else { throw JobFailure("data.import: the upload ended without a dataset", retryable: false) }
            return .committed(committed)
        } catch DatasetError.badFile {
            // Never quote the fetched document (its header line could be a page the server
            // can reach and the caller cannot): say what was expected instead.
            throw JobFailure(
                "data.import: the document is not a price file this server reads (a CSV with a date and a close column)",
                retryable: false)
        } catch let error as DatasetError {
            throw JobFailure("data.import: \(error.summary)", retryable: false)
        } catch let error as HTTPClientError {
            throw JobFailure("data.import: \(error)", retryable: false)
        }
    }

    /// Checks the URL's addresses, downloads the file to a temporary file (with no
    /// PostgreSQL transaction open, so a server that sends slowly holds none), then loads it
    /// into a new upload and stores the dataset in one short transaction. `beforeCommit`
    /// writes what must commit with the dataset, in its transaction.
    public static func load(
        _ draft: DatasetDraft, url: String, owner: Int64, options: Options, store: DatasetStore,
        progress: @escaping (Int) throws -> Void = { _ in },
        beforeCommit: (Transaction, Dataset) throws -> Void = { _, _ in }
    ) throws -> Dataset {
        let file = try download(url, options, progress: progress)
        defer { try? file.close() }
        let upload = try DatasetUpload(store: store, owner: owner, limits: options.limits, draft: draft)
        do {
            try file.seek(toOffset: 0)
            while let piece = try file.read(upToCount: 1 << 16), !piece.isEmpty {
                try piece.withUnsafeBytes { raw in try upload.feed(raw.bindMemory(to: UInt8.self)) }
            }
            return try upload.finish(draft, beforeCommit: beforeCommit)
        } catch {
            upload.abort()
            throw error
        }
    }

    /// Resolves and checks the URL's host, then downloads the body of a 200 answer into an
    /// unlinked temporary file (gone when closed, or when the process dies), within
    /// `maxBytes` and `timeoutSeconds`: the file, positioned anywhere.
    static func download(_ url: String, _ options: Options, progress: @escaping (Int) throws -> Void) throws -> FileHandle {
        let target = try ImportAddressPolicy.target(url: url, allowPrivate: options.allowPrivate)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tm-import-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let file = FileHandle(forUpdatingAtPath: path)
        else {
            throw DatasetError.importRefused(reason: "the server could not make a temporary file for the download")
        }
        try? FileManager.default.removeItem(atPath: path)
        do {
            var received = 0
            let client = HTTPClient(
                timeout: Double(options.timeoutSeconds), connectTimeout: min(10, Double(options.timeoutSeconds)),
                maxBodyBytes: options.maxBytes)
            let response = try client.stream(url: url, resolve: target.resolve) { piece in
                received += piece.count
                try file.write(contentsOf: Data(piece))
                try progress(received)
            }
            guard response.status == 200 else {
                throw DatasetError.importRefused(
                    reason: "the server answered \(response.status)\(response.status / 100 == 3 ? " (redirects are not followed)" : "")")
            }
            return file
        } catch HTTPClientError.responseTooLarge {
            try? file.close()
            throw DatasetError.importRefused(reason: "the file is larger than \(options.maxBytes) bytes")
        } catch HTTPClientError.timeout {
            try? file.close()
            throw DatasetError.importRefused(reason: "the download took longer than \(options.timeoutSeconds) s")
        } catch {
            try? file.close()
            throw error
        }
    }
}

extension ImportJob {
    /// Queues an import of `draft` for `owner`: 409 (``DatasetError/nameTaken``) when the
    /// owner has a dataset of that name or an import of it queued or running. Serialized
    /// per owner and name by a transaction lock, so two imports of one name make one job.
    public static func enqueue(_ draft: DatasetDraft, url: String, owner: Int64, options: Options, queue: JobQueue) throws -> Job {
        let key = "import:\(owner):\(draft.name.lowercased())"
        let jobs = try queue.database.transaction { tx -> [Job] in
            try tx.lock(key)
            let taken = try tx.query(
                """
                SELECT (EXISTS (SELECT 1 FROM datasets WHERE owner_id = \(owner) AND lower(name) = lower(\(draft.name)))
                     OR EXISTS (SELECT 1 FROM jobs WHERE owner_id = \(owner) AND kind = \(kind) AND status IN ('queued', 'running')
                                AND lower(payload ->> 'name') = lower(\(draft.name)))) AS taken
                """)[0].decode("taken", as: Bool.self)
            if taken { throw DatasetError.nameTaken }
            return try queue.enqueue(Self.draft(draft, url: url, owner: owner, options: options), in: tx)
        }
        queue.announce(jobs)
        guard let job = jobs.first else { throw DatabaseError.unavailable("the import job was not queued") }
        return job
    }
}
