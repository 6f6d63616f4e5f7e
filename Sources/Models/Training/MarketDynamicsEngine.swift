import Foundation
import JobRuntime
import Quant
import Support
import TradeMasterAPI

/// The `analysis.market_dynamics` job (labelling: the service's defaults for the dataset
/// from `evaluation_getParameters`, overridden by the request's options →
/// `start_market_dynamics_labeling` → poll `MDM_status` → the visualisation PNG and the
/// analysis CSV kept) and the `analysis.dynamics_test` job (`run_dynamics_test` → poll
/// `dynamics_testing_status` → the radar plot kept) of TradeMaster's market-dynamics
/// modelling. A labelling made in a trained agent's session (`training_id`) can be
/// dynamics-tested; one made alone cannot (the service has no agent to test).
struct MarketDynamicsEngine: JobHandler {
    let client: TradeMasterClient
    let configuration: TrainingConfiguration
    /// Whether this is the dynamics test step.
    let dynamicsTest: Bool

    /// Config fields renamed for the service (it wants camel case for the dates).
    static let renamed = ["start_date": "startDate", "end_date": "endDate"]
    /// Status answers asked for after `MDM_end` while its images are still null.
    static let imageTries = 20
    /// Config fields of ours that are not the service's.
    static let ours: Set<String> = ["dataset_id", "training_id"]

    func run(_ context: JobContext) throws -> JobCompletion {
        let store = TrainingStore(queue: JobQueue(database: context.database, events: context.events))
        guard let id = context.payload["training_id"]?.intValue.map(Int64.init), let analysis = try store.find(id: id, owner: nil) else {
            throw JobFailure("the analysis row is gone", retryable: false)
        }
        let poller = TradeMasterPoller(
            client: client, configuration: configuration, context: context,
            deadline: .now + .milliseconds(Int(configuration.timeoutSeconds * 1000)))
        if dynamicsTest {
            return try runDynamicsTest(analysis, store: store, poller: poller, context: context)
        }
        var log = analysis.log
        var body: [String: Any] = [:]
        if case .object(let members) = analysis.config {
            for (key, value) in members where !Self.ours.contains(key) {
                if let scalar = Self.scalar(value) { body[Self.renamed[key] ?? key] = scalar }
            }
        }
        var session = analysis.sessionId
        if let agentTraining = analysis.config["training_id"]?.intValue.map(Int64.init) {
            // Labelled in the trained agent's session, so the agent can be tested on its labels.
            guard let trained = try store.find(id: agentTraining, owner: analysis.ownerId), let agentSession = trained.sessionId else {
                throw JobFailure("training \(agentTraining) is gone or has no TradeMaster session", retryable: false)
            }
            session = agentSession
            body["session_id"] = agentSession
        } else if session == nil, let datasetID = analysis.datasetId {
            let upload = try Self.upload(datasetID: datasetID, owner: analysis.ownerId, context: context, poller: poller)
            log.append("uploaded dataset \(datasetID) as \(upload.fileName) (\(upload.rows) rows)")
            body["dataset_name"] = body["dataset_name"] ?? upload.fileName
            body["session_id"] = upload.session
        } else if let session {
            body["session_id"] = session
        }
        try context.reportProgress(0, message: "labelling market dynamics")
        let defaults = try poller.waitingOut("market dynamics labelling") { () throws(TradeMasterError) in
            try client.evaluationParameters(sessionID: body["session_id"] as? String)
        }
        let dataset = body["dataset_name"] as? String ?? ""
        var filled: [String] = []
        for (key, value) in MarketDynamicsDefaults.values(for: dataset, from: defaults) where body[key] == nil {
            body[key] = value
            filled.append(key)
        }
        if !filled.isEmpty {
            log.append("the service's defaults for \(dataset): " + filled.sorted().map { "\($0)=\(body[$0] ?? "")" }.joined(separator: ", "))
        }
        let started = try poller.waitingOut("market dynamics labelling") { () throws(TradeMasterError) in
            try client.startMarketDynamicsLabeling(body)
        }
        session = started
        log.append("TradeMaster labelling session \(started) started")
        try store.record(id: id, log: log, sessionID: started)
        var status = try poller.poll("MDM_status", flag: "MDM_end", session: started, what: "market dynamics labelling") { tmLog in
            try? store.record(id: id, log: log + tmLog.tail(100))
            try context.reportProgress(0.5, message: "labelling market dynamics")
        }
        // The real service sets MDM_end from the log's last line, before its script has written
        // the config naming the files: the first answers may carry null images. Ask again.
        var tries = 0
        while status.images["market_dynamic_labeling_visulization"] == nil || status.images["market_dynamic_labeling_analysis"] == nil,
            tries < Self.imageTries
        {
            tries += 1
            try poller.wait(max(configuration.pollSeconds, 0.05))
            status = try poller.waitingOut("market dynamics labelling") { () throws(TradeMasterError) in
                try client.status("MDM_status", sessionID: started, flag: "MDM_end")
            }
        }
        var images: [String: [UInt8]] = [:]
        if let png = TradeMasterPoller.png(status.images["market_dynamic_labeling_visulization"]) { images["visualization"] = png }
        let base = "/api/v1/analysis/market-dynamics/\(id)"
        var analysisField = JSONDocument.null
        let raw = TradeMasterPoller.decoded(status.images["market_dynamic_labeling_analysis"])
        if let png = TradeMasterPoller.png(status.images["market_dynamic_labeling_analysis"]) {
            images["analysis"] = png
            analysisField = .object(["image": .string(base + "/images/analysis.png")])
        } else if let raw, let text = String(validating: raw, as: UTF8.self), let table = AnalysisTable(csv: text) {
            images[AnalysisTable.storedName] = raw
            analysisField = .object([
                "csv": .string(base + "/images/analysis.csv"), "table": .string(base + "/images/analysis.svg"),
                "columns": .array(table.columns.map { .string($0) }), "rows": table.json,
            ])
        }
        var parameters: [String: JSONDocument] = [:]
        for (key, value) in body where key != "session_id" {
            switch value {
            case let text as String: parameters[key] = .string(text)
            case let number as Int: parameters[key] = .integer(Int64(number))
            case let number as Int64: parameters[key] = .integer(number)
            case let number as Double: parameters[key] = .number(number)
            case let flag as Bool: parameters[key] = .bool(flag)
            default: break
            }
        }
        let result = JSONDocument.object([
            "session_id": .string(started),
            "visualization": images["visualization"] == nil ? .null : .string(base + "/images/visualization.png"),
            "analysis": analysisField,
            "parameters": .object(parameters),
            "agent_training_id": analysis.config["training_id"] ?? .null,
            "dynamics_tests": .object([:]),
        ])
        log.append("labelling finished")
        try store.record(id: id, log: log + TradeMasterLog(status.info).tail(100))
        let stored = images
        return JobCompletion(result: result) { tx in
            try TrainingStore.complete(id: id, result: result, images: stored, in: tx)
        }
    }

    private func runDynamicsTest(_ analysis: TrainingJob, store: TrainingStore, poller: TradeMasterPoller, context: JobContext) throws
        -> JobCompletion
    {
        let id = analysis.id
        var log = analysis.log
        guard let session = analysis.sessionId, let label = context.payload["label"]?.stringValue else {
            throw JobFailure("the labelling has no session", retryable: false)
        }
        guard analysis.config["training_id"] != nil else {
            throw JobFailure("the labelling was made without a trained agent: there is nothing to test", retryable: false)
        }
        try context.reportProgress(0, message: "dynamics test of label \(label)")
        try poller.waitingOut("dynamics test") { () throws(TradeMasterError) in
            try client.runDynamicsTest(sessionID: session, label: label)
        }
        let status = try poller.poll(
            "dynamics_testing_status", flag: "dynamics_testing_end", session: session,
            what: "dynamics test", extra: ["dynamics_test_label": label]
        ) { tmLog in
            try? store.record(id: id, log: log + tmLog.tail(100))
            try context.reportProgress(0.5, message: "dynamics test of label \(label)")
        }
        let radar = TradeMasterPoller.png(status.images["radar_plot"])
        let name = "radar_" + String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(30))
        var entry: [String: JSONDocument] = ["label": .string(label), "radar_plot": .null]
        if radar != nil { entry["radar_plot"] = .string("/api/v1/analysis/market-dynamics/\(id)/images/\(name).png") }
        let testLog = TradeMasterLog(status.info)
        if radar == nil, let last = testLog.lastLine { entry["note"] = .string(last) }
        let value = JSONDocument.object(entry)
        log.append("dynamics test of label \(label) finished")
        try store.record(id: id, log: log + testLog.tail(100))
        return JobCompletion(result: value) { tx in
            try TrainingStore.mergeResult(id: id, key: "dynamics_tests", member: label, value: value, in: tx)
            if let radar {
                try tx.execute(
                    """
                    INSERT INTO training_images (training_id, name, png) VALUES (\(id), \(name), \(radar))
                    ON CONFLICT (training_id, name) DO UPDATE SET png = EXCLUDED.png, created_at = now()
                    """)
            }
        }
    }

    static func scalar(_ value: JSONDocument) -> Any? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return number
        case .number(let number): return number
        case .bool(let flag): return flag
        default: return nil
        }
    }

    /// The most rows sent with `upload_csv`.
    static let uploadRowLimit = 500_000

    /// Sends dataset `datasetID` with `upload_csv` in TradeMaster's long format
    /// (`date, tic, open, high, low, close, adjcp, volume`), waiting out an outage.
    static func upload(datasetID: Int64, owner: Int64, context: JobContext, poller: TradeMasterPoller) throws
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
        let sent = rows
        let session = try poller.waitingOut("upload") { () throws(TradeMasterError) in
            try poller.client.uploadCSV(fileName: fileName, rows: sent)
        }
        return (fileName, rows.count, session)
    }
}
