import Foundation
import JobRuntime
import PostgresClient
import Quant

/// Derives a dataset from another by preprocessing steps, applied per symbol with the Quant
/// functions, and loads the result as an upload would (lineage: `parent_id` and `steps`).
/// Used within a request for small sources and by the `data.preprocess` job for large ones.
public struct DatasetPreprocessor: Sendable {
    /// The store of both datasets.
    public let store: DatasetStore
    /// The limits the new dataset is held to.
    public let limits: UploadLimits

    /// A preprocessor over `store`.
    public init(store: DatasetStore, limits: UploadLimits) {
        self.store = store
        self.limits = limits
    }

    /// One symbol's bars and the columns added so far (package access: the fuzz targets run the steps on frames of their own).
    package struct Frame {
        package var series: OHLCVSeries
        package var columns: [(name: String, values: [Double])] = []

        /// A frame of `series` with no added column.
        package init(series: OHLCVSeries) { self.series = series }

        /// Keeps only the rows `keep` of the series and every column.
        mutating func keepRows(_ keep: [Int]) {
            series = series.rows(keep)
            for c in columns.indices { columns[c].values = keep.map { columns[c].values[$0] } }
        }
    }

    /// Applies `steps` (validated) to `source` of `owner` and stores the result as `name`;
    /// `progress` hears the fraction of symbols done.
    /// `beforeCommit` writes what must commit with the new dataset (a job's success), in its transaction.
    public func run(
        source: Dataset, owner: Int64, name: String, description: String, steps: [PreprocessStep],
        progress: (Double) throws -> Void = { _ in },
        beforeCommit: (Transaction, Dataset) throws -> Void = { _, _ in }
    ) throws -> Dataset {
        let stepsJSON = String(decoding: try DatasetStore.encoder.encode(steps), as: UTF8.self)
        let trainFraction = PreprocessStep.splitTrain(steps) ?? 0.7
        // Read and transform every symbol first: the upload's COPY then owns the connection.
        var outputs: [(symbol: String, frame: Frame)] = []
        let symbols = source.symbols
        for (n, symbol) in symbols.enumerated() {
            var frame = Frame(series: try store.series(datasetID: source.id, symbol: symbol))
            for (i, step) in steps.enumerated() {
                do {
                    try Self.apply(step, to: &frame, trainFraction: trainFraction, timeZone: TimeZone(identifier: source.timezone))
                } catch let error as QuantError {
                    throw DatasetError.stepFailed(pointer: "/steps/\(i)", detail: "\(symbol): \(error)")
                }
            }
            outputs.append((symbol, frame))
            try progress(Double(n + 1) / Double(max(symbols.count, 1)) * 0.5)
        }
        let long = source.layout == .long
        let extraNames = outputs.first?.frame.columns.map(\.name) ?? []
        var draft = DatasetDraft(
            name: name, description: description, symbol: symbols.first ?? name, tags: source.tags,
            timezone: source.timezone)
        draft.parentID = source.id
        draft.steps = stepsJSON
        let upload = try DatasetUpload(store: store, owner: owner, limits: limits, draft: draft)
        do {
            var text = (["date"] + (long ? ["tic"] : []) + PreprocessStep.priceColumns + extraNames).joined(separator: ",") + "\n"
            for output in outputs {
                let s = output.frame.series
                for i in 0..<s.count {
                    text += String(s.timestamps[i])
                    if long { text += "," + output.symbol }
                    text += ",\(s.open[i]),\(s.high[i]),\(s.low[i]),\(s.close[i]),\(s.volume[i])"
                    for column in output.frame.columns { text += column.values[i].isFinite ? ",\(column.values[i])" : "," }
                    text += "\n"
                    if text.utf8.count > 1 << 20 {
                        try text.withUTF8 { try upload.feed($0) }
                        text = ""
                    }
                }
            }
            try text.withUTF8 { try upload.feed($0) }
            // No progress from here: the upload's COPY holds this thread's connection.
            return try upload.finish(draft, beforeCommit: beforeCommit)
        } catch {
            upload.abort()
            throw error
        }
    }

    /// Applies one step to one symbol's frame.
    package static func apply(_ step: PreprocessStep, to frame: inout Frame, trainFraction: Double, timeZone: TimeZone? = nil) throws {
        let series = frame.series
        switch step.op {
        case "resample":
            frame.series = try resample(series, seconds: PreprocessStep.intervals[step.to ?? ""] ?? 3600, timeZone: timeZone)
        case "drop_outliers":
            frame.series = try Preprocessing.dropOutliers(series, zThreshold: step.z ?? 3)
        case "clip_outliers":
            frame.series = try clipOutliers(series, z: step.z ?? 3)
        case "indicators":
            for indicator in step.indicators ?? [] { frame.columns += try compute(indicator, on: series).map { (name: $0.0, values: $0.1) } }
        case "trademaster_features":
            let f = TradeMasterFeatures(series: series)
            frame.columns += [("zopen", f.zopen), ("zhigh", f.zhigh), ("zlow", f.zlow), ("zclose", f.zclose)]
            frame.columns += TradeMasterFeatures.windows.map { (name: "zd_\($0)", values: f.zd[$0] ?? []) }
        case "fill_missing":
            let selected = selection(step.columns, in: frame)
            if step.method == "drop" {
                let keep = (0..<series.count).filter { i in selected.allSatisfy { !frame.columns[$0].values[i].isNaN } }
                frame.keepRows(keep)
            } else {
                for c in selected { frame.columns[c].values = try fill(frame.columns[c].values, method: step.method ?? "ffill") }
            }
        case "normalize":
            let method: Normalizer.Method = step.method == "minmax" ? .minMax : .zScore
            let fitted = Int((Double(series.count) * (step.train ?? trainFraction)).rounded(.down))
            func scaled(_ values: [Double]) throws -> [Double] {
                let normalizer = try Normalizer(fitting: values[0..<fitted].filter { $0.isFinite }, method: method)
                return normalizer.transform(values)
            }
            for name in step.columns ?? frame.columns.map(\.name).filter({ $0 != "split" }) {
                if let c = frame.columns.firstIndex(where: { $0.name == name }) {
                    frame.columns[c].values = try scaled(frame.columns[c].values)
                } else if let prices = price(name, of: series) {
                    frame.columns.append((name: "\(name)_\(step.method ?? "zscore")", values: try scaled(prices)))
                }
            }
        default:  // split
            let split = try DataSplit(count: series.count, train: step.train ?? 0.7, validation: step.valid ?? 0.15)
            var values = [Double](repeating: 2, count: series.count)
            for i in split.train { values[i] = 0 }
            for i in split.validation { values[i] = 1 }
            frame.columns.append((name: "split", values: values))
        }
    }

    /// Resampled with buckets aligned on the dataset's time zone: times are shifted to local
    /// wall-clock time, resampled with Quant (buckets aligned on local midnight), and each
    /// bucket's start shifted back by the offset of its first bar (UTC needs no shift).
    static func resample(_ s: OHLCVSeries, seconds: Int64, timeZone: TimeZone?) throws -> OHLCVSeries {
        guard let zone = timeZone, zone.identifier != "UTC", zone.identifier != "GMT" else {
            return try Preprocessing.resample(s, seconds: seconds)
        }
        func offset(_ t: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))) }
        var local = s
        local.timestamps = s.timestamps.map { $0 + offset($0) }
        var out = try Preprocessing.resample(local, seconds: seconds)
        // Each bucket starts at or before its first bar: shift it back by that bar's offset.
        var k = 0
        for b in out.timestamps.indices {
            while k < local.count && local.timestamps[k] < out.timestamps[b] { k += 1 }
            let first = min(k, s.count - 1)
            out.timestamps[b] -= offset(s.timestamps[first])
        }
        return out
    }

    /// Close-to-close returns clipped to mean ± z·std; the close rebuilt from them and the
    /// bar's open, high and low scaled with it (so each bar keeps its shape).
    static func clipOutliers(_ s: OHLCVSeries, z: Double) throws -> OHLCVSeries {
        guard s.count > 2 else { return s }
        let clipped = try Preprocessing.clipOutliers(try Metrics.simpleReturns(s.close), zThreshold: z)
        var out = s
        for i in 1..<s.count {
            out.close[i] = out.close[i - 1] * (1 + clipped[i - 1])
            let factor = out.close[i] / s.close[i]
            out.open[i] = s.open[i] * factor
            out.high[i] = s.high[i] * factor
            out.low[i] = s.low[i] * factor
        }
        return out
    }

    /// `ffill`, `bfill` or `interpolate` (linear between the known neighbours; ends stay missing).
    static func fill(_ values: [Double], method: String) throws -> [Double] {
        switch method {
        case "ffill": return try Preprocessing.forwardFill(values)
        case "bfill": return Array(try Preprocessing.forwardFill(values.reversed()).reversed())
        default:
            var out = values
            var previous: Int?
            for i in values.indices where !values[i].isNaN {
                if let p = previous, i - p > 1 {
                    for k in (p + 1)..<i { out[k] = values[p] + (values[i] - values[p]) * Double(k - p) / Double(i - p) }
                }
                previous = i
            }
            return out
        }
    }

    private static func selection(_ names: [String]?, in frame: Frame) -> [Int] {
        guard let names else { return Array(frame.columns.indices) }
        return names.compactMap { name in frame.columns.firstIndex { $0.name == name } }
    }

    private static func price(_ name: String, of s: OHLCVSeries) -> [Double]? {
        switch name {
        case "open": return s.open
        case "high": return s.high
        case "low": return s.low
        case "close": return s.close
        case "volume": return s.volume
        default: return nil
        }
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
