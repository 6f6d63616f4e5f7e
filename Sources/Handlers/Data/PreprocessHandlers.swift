import Foundation
import Models
import Quant
import TMFcgi

/// `POST /api/v1/data/preprocess`: a new dataset derived from one of the caller's, by steps
/// applied per symbol with the Quant functions (synchronously, up to `TM_SYNC_MAX_ROWS`
/// source rows; larger inputs need the job queue, which is not wired yet: 413).
public struct PreprocessHandlers: Sendable {
    let store: DatasetStore
    let limits: UploadLimits
    let maximumRows: Int

    /// Handlers over `store`.
    public init(store: DatasetStore, limits: UploadLimits, maximumRows: Int) {
        self.store = store
        self.limits = limits
        self.maximumRows = maximumRows
    }

    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post("/api/v1/data/preprocess", .caller(.create), doc: RouteDoc(
            "Derive a dataset: resample, drop outliers, add indicators", tag: "data",
            description: """
                Steps run in order on each symbol with the Quant functions: `resample` (to: 5min…1d, OHLCV aggregation), \
                `drop_outliers` (z on close-to-close returns, default 3), `indicators` (sma, ema, rsi, macd, bollinger, atr; \
                columns like sma_20). Every step is checked before any work (422 at its pointer). The new dataset keeps the \
                source's layout with OHLCV and the added columns, and records parent_id.
                """,
            body: Body.self, response: Dataset.self, status: 201, errors: [409, 413, 507],
            example: .object([("dataset_id", .integer(1)), ("name", .string("AAPL hourly with SMA")),
                              ("steps", .array([.object([("op", .string("resample")), ("to", .string("1h"))]),
                                                .object([("op", .string("indicators")),
                                                         ("indicators", .array([.object([("name", .string("sma")), ("window", .integer(20))])]))])]))])),
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
    public func preprocess(_ request: Request, _ context: AppContext) throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try request.decode(Body.self)
        var issues: [ValidationIssue] = []
        let name = UploadForm.nameRules.normalize(body.name, issues: &issues)
        let description = UploadForm.descriptionRules.normalize(body.description ?? "", issues: &issues)
        var errors = issues.map { FieldError(pointer: "/" + $0.field, detail: $0.message) } + PreprocessStep.validate(body.steps)
        guard errors.isEmpty else { throw Problem.validation(errors) }
        guard body.datasetId > 0, let source = try store.find(id: body.datasetId, owner: principal.userID) else {
            errors.append(FieldError(pointer: "/dataset_id", detail: "no such dataset"))
            throw Problem.validation(errors)
        }
        guard source.rowCount <= Int64(maximumRows) else {
            throw Problem(.contentTooLarge, detail: "The dataset has \(source.rowCount) rows; up to \(maximumRows) are preprocessed within a request.")
        }
        // Read and transform every symbol first: the upload's COPY then owns the connection.
        var outputs: [(symbol: String, series: OHLCVSeries, columns: [(String, [Double])])] = []
        for symbol in source.symbols {
            var series = try store.series(datasetID: source.id, symbol: symbol)
            var columns: [(String, [Double])] = []
            do {
                for step in body.steps {
                    switch step.op {
                    case "resample": series = try Preprocessing.resample(series, seconds: PreprocessStep.intervals[step.to ?? ""] ?? 3600)
                    case "drop_outliers": series = try Preprocessing.dropOutliers(series, zThreshold: step.z ?? 3)
                    default: for indicator in step.indicators ?? [] { columns += try Self.compute(indicator, on: series) }
                    }
                }
            } catch let error as QuantError {
                throw Problem.validation([FieldError(pointer: "/steps", detail: "\(symbol): \(error)")])
            }
            outputs.append((symbol, series, columns))
        }
        let long = source.layout == .long
        let extraNames = outputs.first?.columns.map(\.0) ?? []
        let upload = try DatasetUpload(store: store, owner: principal.userID, limits: limits)
        do {
            let header = (["date"] + (long ? ["tic"] : []) + ["open", "high", "low", "close", "volume"] + extraNames).joined(separator: ",") + "\n"
            try Self.feed(header, to: upload)
            for output in outputs {
                var text = ""
                let s = output.series
                for i in 0..<s.count {
                    text += String(s.timestamps[i])
                    if long { text += "," + output.symbol }
                    text += ",\(s.open[i]),\(s.high[i]),\(s.low[i]),\(s.close[i]),\(s.volume[i])"
                    for (_, values) in output.columns { text += values[i].isFinite ? ",\(values[i])" : "," }
                    text += "\n"
                    if text.utf8.count > 1 << 20 { try Self.feed(text, to: upload); text = "" }
                }
                try Self.feed(text, to: upload)
            }
            let steps = String(decoding: try JSONCoding.makeEncoder().encode(body.steps), as: UTF8.self)
            var draft = DatasetDraft(name: name, description: description, symbol: source.symbols.first ?? name, tags: source.tags,
                                     timezone: source.timezone)
            draft.parentID = source.id
            draft.steps = steps
            let dataset = try upload.finish(draft)
            return try DatasetHandlers.respond(dataset, status: .created, location: "/api/v1/data/datasets/\(dataset.id)")
        } catch {
            upload.abort()
            throw error
        }
    }

    private static func feed(_ text: String, to upload: DatasetUpload) throws {
        var text = text
        try text.withUTF8 { try upload.feed($0) }
    }

    /// The columns `indicator` adds, computed on `series`.
    static func compute(_ indicator: PreprocessStep.Indicator, on series: OHLCVSeries) throws -> [(String, [Double])] {
        let names = PreprocessStep.columns(of: indicator)
        switch indicator.name {
        case "sma": return [(names[0], try Indicators.sma(series.close, window: indicator.window ?? 14))]
        case "ema": return [(names[0], try Indicators.ema(series.close, window: indicator.window ?? 14))]
        case "rsi": return [(names[0], try Indicators.rsi(series.close, window: indicator.window ?? 14))]
        case "atr": return [(names[0], try Indicators.atr(high: series.high, low: series.low, close: series.close, window: indicator.window ?? 14))]
        case "macd":
            let m = try Indicators.macd(series.close, fast: indicator.fast ?? 12, slow: indicator.slow ?? 26, signal: indicator.signal ?? 9)
            return [(names[0], m.macd), (names[1], m.signal), (names[2], m.histogram)]
        default:
            let b = try Indicators.bollinger(series.close, window: indicator.window ?? 20, k: indicator.k ?? 2)
            return [(names[0], b.middle), (names[1], b.upper), (names[2], b.lower)]
        }
    }
}
