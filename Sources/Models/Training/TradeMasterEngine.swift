import Foundation
import JobRuntime
import Quant
import Support
import TradeMasterAPI

/// The `training.trademaster` job: (upload_csv of our dataset when the config names one) →
/// `train` → poll `train_status` → `test` → poll `test_status` → the metrics table as
/// fractions, the result plot kept. The session id is recorded as soon as the service gives
/// it, so a retried attempt (after the service was unreachable) resumes polling the same
/// session instead of training again. The service cannot cancel: a stop ends the polling only.
struct TradeMasterEngine: JobHandler {
    let client: TradeMasterClient
    let configuration: TrainingConfiguration

    /// The request fields the service's `train` takes, from the strategy's config with the
    /// training config's overrides.
    static let trainFields = ["task_name", "dataset_name", "optimizer_name", "loss_name", "agent_name", "start_date", "end_date"]

    func run(_ context: JobContext) throws -> JobCompletion {
        let store = TrainingStore(queue: JobQueue(database: context.database, events: context.events))
        guard let id = context.payload["training_id"]?.intValue.map(Int64.init), let training = try store.find(id: id, owner: nil) else {
            throw JobFailure("the training row is gone", retryable: false)
        }
        guard let strategyID = training.strategyId, let strategy = try store.strategy(id: strategyID, owner: training.ownerId),
            let strategyConfig = strategy.config
        else {
            throw JobFailure("the trademaster strategy was deleted", retryable: false)
        }
        let owner = training.ownerId
        let job = context.job.id
        var log: [String] = training.log
        func note(_ line: String) {
            log.append(line)
            try? store.record(id: id, log: log)
        }
        let poller = TradeMasterPoller(
            client: client, configuration: configuration, context: context,
            deadline: .now + .milliseconds(Int(configuration.timeoutSeconds * 1000)))
        var session = training.sessionId
        if session == nil {
            var body: [String: Any] = [:]
            for field in Self.trainFields {
                if let value = training.config[field]?.stringValue ?? strategyConfig[field]?.stringValue { body[field] = value }
            }
            if let datasetID = training.datasetId {
                let upload = try MarketDynamicsEngine.upload(datasetID: datasetID, owner: owner, context: context, poller: poller)
                note("uploaded dataset \(datasetID) as \(upload.fileName) (\(upload.rows) rows, session \(upload.session))")
            }
            try context.reportProgress(0, message: "starting TradeMaster training")
            session = try poller.waitingOut("training") { () throws(TradeMasterError) in try client.train(body) }
            note("TradeMaster session \(session!) started: \(body["agent_name"] ?? "") on \(body["dataset_name"] ?? "")")
            try store.record(id: id, sessionID: session)
            context.events.publish(.trainingStatus(id: id, job: job, owner: owner, step: "training", message: "training started"))
        }
        guard let session else { throw JobFailure("no session", retryable: false) }

        // Training.
        var history: [String: JSONDocument] = [:]
        var published = (train: 0, valid: 0)
        if case .array(let entries) = training.metricsHistory {
            for entry in entries {
                guard let epoch = entry["epoch"]?.intValue, let phase = entry["phase"]?.stringValue else { continue }
                history["\(phase):\(epoch)"] = entry
            }
        }
        // A resumed attempt announces only the episodes finished since the last one's record.
        if let done = training.epoch { published = (done, max(0, done - 1)) }
        var serviceLog: [String] = []
        let trained = try poller.poll("train_status", flag: "train_end", session: session, what: "training") { tmLog in
            serviceLog = tmLog.tail(200)
            let tables = tmLog.tables
            for table in tables {
                guard let episode = table.episode else { continue }
                var entry = table.metrics.mapValues(ParameterSearchEngine.number)
                entry["epoch"] = .integer(Int64(episode.index))
                entry["phase"] = .string(table.phase ?? "train")
                history["\(table.phase ?? "train"):\(episode.index)"] = .object(entry)
            }
            let done = tmLog.completion
            let total = done?.total
            // One event per finished episode and phase, in log order, with its table once read.
            var order: [(phase: String, epoch: Int)] = []
            for k in 1...max(1, total ?? 1) {
                if k > published.train, k <= (done?.train ?? 0) { order.append(("train", k)) }
                if k > published.valid, k <= (done?.valid ?? 0) { order.append(("valid", k)) }
            }
            for (phase, epoch) in order {
                let metrics = tables.last { $0.episode?.index == epoch && $0.phase == phase }?.metrics
                context.events.publish(
                    .trainingEpoch(id: id, job: job, owner: owner, epoch: epoch, total: total ?? epoch, phase: phase, metrics: metrics))
            }
            published = (max(published.train, done?.train ?? 0), max(published.valid, done?.valid ?? 0))
            let epoch = done?.train ?? 0
            try? store.record(
                id: id, epoch: total == nil ? nil : epoch, totalEpochs: total, history: Self.ordered(history),
                log: log + serviceLog)
            try context.reportProgress(0.8 * tmLog.progress, message: total.map { "episode \(epoch)/\($0) done" } ?? "training")
        }
        note("training finished")
        let trainPlot = TradeMasterPoller.png(trained.images["result_plot"])

        // Test.
        try context.reportProgress(0.8, message: "testing")
        try poller.waitingOut("test") { () throws(TradeMasterError) in try client.test(sessionID: session) }
        context.events.publish(.trainingStatus(id: id, job: job, owner: owner, step: "testing", message: "test started"))
        let tested = try poller.poll("test_status", flag: "test_end", session: session, what: "test") { tmLog in
            try? store.record(id: id, log: log + serviceLog + tmLog.tail(100))
            try context.reportProgress(0.9, message: "testing")
        }
        let testLog = TradeMasterLog(tested.info)
        guard let metrics = testLog.lastTable else {
            try? store.record(id: id, log: log + serviceLog + testLog.tail(100))
            throw JobFailure("TradeMaster test ended without a metrics table", retryable: false)
        }
        var images: [String: [UInt8]] = [:]
        if let plot = TradeMasterPoller.png(tested.images["result_plot"]) ?? trainPlot { images["result"] = plot }
        if let trainPlot { images["train"] = trainPlot }
        let result = JSONDocument.object([
            "engine": .string("trademaster"),
            "session_id": .string(session),
            "metrics": .object(metrics.mapValues(ParameterSearchEngine.number)),
            "plot": images["result"] == nil ? .null : .string("/api/v1/training/\(id)/plot.png"),
        ])
        try store.record(id: id, log: log + serviceLog + testLog.tail(100) + ["test finished"])
        let stored = images
        return JobCompletion(result: result) { tx in
            try TrainingStore.complete(id: id, result: result, images: stored, in: tx)
        }
    }

    static func ordered(_ history: [String: JSONDocument]) -> JSONDocument {
        .array(
            history.values.sorted { a, b in
                let ea = a["epoch"]?.intValue ?? 0
                let eb = b["epoch"]?.intValue ?? 0
                return ea != eb ? ea < eb : (a["phase"]?.stringValue ?? "") < (b["phase"]?.stringValue ?? "")
            })
    }
}
