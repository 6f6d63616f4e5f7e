import Foundation
import JobRuntime
import Quant
import Support
import TradeMasterAPI

/// The `analysis.market_dynamics` job (labelling: `start_market_dynamics_labeling` → poll
/// `MDM_status` → the visualisation and analysis images kept) and the
/// `analysis.dynamics_test` job (`run_dynamics_test` → poll `dynamics_testing_status` → the
/// radar plot kept) of TradeMaster's market-dynamics modelling.
struct MarketDynamicsEngine: JobHandler {
    let client: TradeMasterClient
    let configuration: TrainingConfiguration
    /// Whether this is the dynamics test step.
    let dynamicsTest: Bool

    /// Config fields renamed for the service (it wants camel case for the dates).
    static let renamed = ["start_date": "startDate", "end_date": "endDate"]

    func run(_ context: JobContext) throws -> JobCompletion {
        let store = TrainingStore(queue: JobQueue(database: context.database, events: context.events))
        guard let id = context.payload["training_id"]?.intValue.map(Int64.init), let analysis = try store.find(id: id, owner: nil) else {
            throw JobFailure("the analysis row is gone", retryable: false)
        }
        let poller = TradeMasterPoller(
            client: client, configuration: configuration, context: context,
            deadline: .now + .milliseconds(Int(configuration.timeoutSeconds * 1000)))
        var log = analysis.log
        if dynamicsTest {
            guard let session = analysis.sessionId, let label = context.payload["label"]?.stringValue else {
                throw JobFailure("the labelling has no session", retryable: false)
            }
            try context.reportProgress(0, message: "dynamics test of label \(label)")
            do { try client.runDynamicsTest(sessionID: session, label: label) } catch {
                throw JobFailure(error.description, retryable: error.isTransient)
            }
            let status = try poller.poll(
                "dynamics_testing_status", flag: "dynamics_testing_end", session: session,
                what: "dynamics test", extra: ["dynamics_test_label": label]
            ) { tmLog in
                try? store.record(id: id, log: log + tmLog.tail(100))
                try context.reportProgress(0.5, message: "dynamics test of label \(label)")
            }
            guard let radar = TradeMasterPoller.png(status.images["radar_plot"]) else {
                throw JobFailure("TradeMaster dynamics test ended without a radar plot", retryable: false)
            }
            let name = "radar_" + String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(30))
            let entry = JSONDocument.object([
                "label": .string(label), "radar_plot": .string("/api/v1/analysis/market-dynamics/\(id)/images/\(name).png"),
            ])
            log.append("dynamics test of label \(label) finished")
            try store.record(id: id, log: log)
            return JobCompletion(result: entry) { tx in
                try TrainingStore.mergeResult(id: id, key: "dynamics_tests", member: label, value: entry, in: tx)
                for (imageName, png) in [(name, radar)] {
                    try tx.execute(
                        """
                        INSERT INTO training_images (training_id, name, png) VALUES (\(id), \(imageName), \(png))
                        ON CONFLICT (training_id, name) DO UPDATE SET png = EXCLUDED.png, created_at = now()
                        """)
                }
            }
        }

        var body: [String: Any] = [:]
        if case .object(let members) = analysis.config {
            for (key, value) in members where key != "dataset_id" {
                let name = Self.renamed[key] ?? key
                switch value {
                case .string(let text): body[name] = text
                case .integer(let number): body[name] = number
                case .number(let number): body[name] = number
                case .bool(let flag): body[name] = flag
                default: break
                }
            }
        }
        var session = analysis.sessionId
        if session == nil, let datasetID = analysis.datasetId {
            let upload = try Self.upload(datasetID: datasetID, owner: analysis.ownerId, context: context, client: client)
            log.append("uploaded dataset \(datasetID) as \(upload.fileName) (\(upload.rows) rows)")
            body["dataset_name"] = body["dataset_name"] ?? upload.fileName
            body["session_id"] = upload.session
        } else if let session {
            body["session_id"] = session
        }
        try context.reportProgress(0, message: "labelling market dynamics")
        do { session = try client.startMarketDynamicsLabeling(body) } catch {
            throw JobFailure(error.description, retryable: error.isTransient)
        }
        guard let session else { throw JobFailure("no session", retryable: false) }
        log.append("TradeMaster labelling session \(session) started")
        try store.record(id: id, log: log, sessionID: session)
        let status = try poller.poll("MDM_status", flag: "MDM_end", session: session, what: "market dynamics labelling") { tmLog in
            try? store.record(id: id, log: log + tmLog.tail(100))
            try context.reportProgress(0.5, message: "labelling market dynamics")
        }
        var images: [String: [UInt8]] = [:]
        if let png = TradeMasterPoller.png(status.images["market_dynamic_labeling_visulization"]) { images["visualization"] = png }
        if let png = TradeMasterPoller.png(status.images["market_dynamic_labeling_analysis"]) { images["analysis"] = png }
        let base = "/api/v1/analysis/market-dynamics/\(id)"
        let result = JSONDocument.object([
            "session_id": .string(session),
            "visualization": images["visualization"] == nil ? .null : .string(base + "/images/visualization.png"),
            "analysis": images["analysis"] == nil ? .null : .string(base + "/images/analysis.png"),
            "dynamics_tests": .object([:]),
        ])
        log.append("labelling finished")
        try store.record(id: id, log: log + TradeMasterLog(status.info).tail(100))
        let stored = images
        return JobCompletion(result: result) { tx in
            try TrainingStore.complete(id: id, result: result, images: stored, in: tx)
        }
    }

    /// The most rows sent with `upload_csv`.
    static let uploadRowLimit = 500_000

    /// Sends dataset `datasetID` with `upload_csv` in TradeMaster's long format
    /// (`date, tic, open, high, low, close, adjcp, volume`).
    static func upload(datasetID: Int64, owner: Int64, context: JobContext, client: TradeMasterClient) throws
        -> (fileName: String, rows: Int, session: String)
    {
        let datasets = DatasetStore(database: context.database)
        guard let dataset = try datasets.find(id: datasetID, owner: owner) else {
            throw JobFailure("the dataset was deleted", retryable: false)
        }
        var rows: [[String: Any]] = []
        for symbol in dataset.symbols {
            let series = try datasets.series(datasetID: datasetID, symbol: symbol)
            for i in 0..<series.count {
                rows.append([
                    "date": TimestampFormatter.iso8601(series.timestamps[i]).prefix(10).description, "tic": symbol,
                    "open": series.open[i], "high": series.high[i], "low": series.low[i], "close": series.close[i],
                    "adjcp": series.close[i], "volume": series.volume[i],
                ])
            }
            guard rows.count <= uploadRowLimit else {
                throw JobFailure("dataset \(datasetID) has more than \(uploadRowLimit) rows to upload", retryable: false)
            }
        }
        let stem = String(dataset.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(60))
        let fileName = (stem.isEmpty ? "dataset_\(datasetID)" : stem) + ".csv"
        do {
            let session = try client.uploadCSV(fileName: fileName, rows: rows)
            return (fileName, rows.count, session)
        } catch {
            throw JobFailure(error.description, retryable: error.isTransient)
        }
    }
}
