/// One step of `POST /api/v1/data/preprocess`: an object named by `op` with its options
/// beside it. Row steps (`resample`, `clip_outliers`, `drop_outliers`) come before column
/// steps (`indicators`, `trademaster_features`, `fill_missing`, `normalize`, `split`).
public struct PreprocessStep: Codable, Sendable {
    /// The operation.
    public var op: String
    /// `resample`: the target interval (`5min`, `15min`, `30min`, `1h`, `4h`, `1d`).
    public var to: String?
    /// `clip_outliers`/`drop_outliers`: the z-score of close-to-close returns beyond which a
    /// return is clipped or its bar dropped (default 3).
    public var z: Double?
    /// `indicators`: what to add.
    public var indicators: [Indicator]?
    /// `fill_missing`: `ffill`, `bfill`, `interpolate` or `drop`; `normalize`: `zscore` or `minmax`.
    public var method: String?
    /// `fill_missing`/`normalize`: the columns (default: every added column; `normalize` also
    /// takes open…volume, added as `<name>_<method>`).
    public var columns: [String]?
    /// `split`: the training fraction; `normalize`: the fraction fitted on (default: the
    /// split step's train fraction, else 0.7).
    public var train: Double?
    /// `split`: the validation fraction.
    public var valid: Double?
    /// `split`: the test fraction.
    public var test: Double?

    /// An indicator to add as column(s).
    public struct Indicator: Codable, Sendable {
        /// `sma`, `ema`, `rsi`, `macd`, `bollinger` or `atr`.
        public var name: String
        /// The window (sma, ema, rsi, bollinger, atr).
        public var window: Int?
        /// MACD's fast span (12).
        public var fast: Int?
        /// MACD's slow span (26).
        public var slow: Int?
        /// MACD's signal span (9).
        public var signal: Int?
        /// Bollinger's width in standard deviations.
        public var k: Double?
    }

    /// The operations this server runs.
    public static let operations = [
        "resample", "clip_outliers", "drop_outliers", "indicators", "trademaster_features",
        "fill_missing", "normalize", "split",
    ]
    /// Operations that change the rows (before any column is added).
    static let rowOperations: Set<String> = ["resample", "clip_outliers", "drop_outliers"]
    /// Resampling targets in seconds.
    public static let intervals: [String: Int64] = ["5min": 300, "15min": 900, "30min": 1800, "1h": 3600, "4h": 14_400, "1d": 86_400]
    /// The columns `trademaster_features` adds.
    public static let featureColumns = ["zopen", "zhigh", "zlow", "zclose"] + [5, 10, 15, 20, 25, 30].map { "zd_\($0)" }
    /// The price columns every dataset has.
    static let priceColumns = ["open", "high", "low", "close", "volume"]

    /// The names of the columns an indicator adds.
    public static func columns(of indicator: Indicator) -> [String] {
        switch indicator.name {
        case "macd":
            return ["macd", "macd_signal", "macd_hist"].map { "\($0)_\(indicator.fast ?? 12)_\(indicator.slow ?? 26)_\(indicator.signal ?? 9)" }
        case "bollinger": return ["bb_middle", "bb_upper", "bb_lower"].map { "\($0)_\(indicator.window ?? 20)" }
        default: return ["\(indicator.name)_\(indicator.window ?? 14)"]
        }
    }

    /// The training fraction of the chain's `split` step, if it has one.
    static func splitTrain(_ steps: [PreprocessStep]) -> Double? {
        steps.first { $0.op == "split" }.map { $0.train ?? 0.7 }
    }

    /// Every problem with `steps`, each at its JSON pointer (`field`), before any work.
    public static func validate(_ steps: [PreprocessStep]) -> [ValidationIssue] {
        var errors: [ValidationIssue] = []
        func fail(_ pointer: String, _ message: String) {
            errors.append(ValidationIssue(field: pointer, code: "preprocess", message: message))
        }
        var columnStepSeen = false
        var names: Set<String> = []
        if steps.isEmpty || steps.count > 20 { fail("/steps", "give 1 to 20 steps") }
        if steps.filter({ $0.op == "split" }).count > 1 { fail("/steps", "give at most one split step") }
        for (i, step) in steps.enumerated() {
            let at = "/steps/\(i)"
            guard operations.contains(step.op) else {
                fail(at + "/op", "must be one of \(operations.joined(separator: ", "))")
                continue
            }
            if rowOperations.contains(step.op) {
                if columnStepSeen { fail(at, "steps that change the rows (resample, clip_outliers, drop_outliers) must come before column steps") }
            } else {
                columnStepSeen = true
            }
            switch step.op {
            case "resample":
                if step.to.flatMap({ intervals[$0] }) == nil {
                    fail(at + "/to", "must be one of \(intervals.keys.sorted().joined(separator: ", "))")
                }
            case "clip_outliers", "drop_outliers":
                if let z = step.z, !(z > 0 && z <= 100) { fail(at + "/z", "must be in (0, 100]") }
            case "trademaster_features":
                for column in featureColumns where !names.insert(column).inserted { fail(at, "adds \(column) a second time") }
            case "fill_missing":
                if !["ffill", "bfill", "interpolate", "drop"].contains(step.method ?? "") {
                    fail(at + "/method", "must be ffill, bfill, interpolate or drop")
                }
                validateColumns(step.columns, at: at, known: names, prices: false, fail: fail)
            case "normalize":
                if !["zscore", "minmax"].contains(step.method ?? "") { fail(at + "/method", "must be zscore or minmax") }
                if let train = step.train, !(train > 0 && train <= 1) { fail(at + "/train", "must be in (0, 1]") }
                validateColumns(step.columns, at: at, known: names, prices: true, fail: fail)
                for column in step.columns ?? [] where priceColumns.contains(column) {
                    if !names.insert("\(column)_\(step.method ?? "")").inserted {
                        fail(at + "/columns", "adds \(column)_\(step.method ?? "") a second time")
                    }
                }
            case "split":
                let train = step.train ?? 0.7
                let valid = step.valid ?? 0.15
                let test = step.test ?? (1 - train - valid)
                if !(train > 0 && train <= 1) { fail(at + "/train", "must be in (0, 1]") }
                if !(valid >= 0 && valid < 1) { fail(at + "/valid", "must be in [0, 1)") }
                if !(test >= -1e-9 && test < 1) || abs(train + valid + test - 1) > 1e-9 {
                    fail(at + "/test", "train, valid and test must add up to 1")
                }
                if !names.insert("split").inserted { fail(at, "adds split a second time") }
            default:
                guard let indicators = step.indicators, !indicators.isEmpty, indicators.count <= 20 else {
                    fail(at + "/indicators", "give 1 to 20 indicators")
                    continue
                }
                for (k, indicator) in indicators.enumerated() {
                    let ip = at + "/indicators/\(k)"
                    guard ["sma", "ema", "rsi", "macd", "bollinger", "atr"].contains(indicator.name) else {
                        fail(ip + "/name", "must be sma, ema, rsi, macd, bollinger or atr")
                        continue
                    }
                    for (key, value) in [
                        ("window", indicator.window), ("fast", indicator.fast), ("slow", indicator.slow), ("signal", indicator.signal),
                    ] {
                        if let value, !(1...1000).contains(value) { fail(ip + "/" + key, "must be in 1...1000") }
                    }
                    if let k = indicator.k, !(k > 0 && k <= 10) { fail(ip + "/k", "must be in (0, 10]") }
                    if (indicator.fast ?? 12) >= (indicator.slow ?? 26) && indicator.name == "macd" {
                        fail(ip + "/fast", "must be below slow")
                    }
                    for column in columns(of: indicator) where !names.insert(column).inserted {
                        fail(ip, "adds \(column) a second time")
                    }
                }
            }
        }
        return errors
    }

    /// The columns `steps` (valid ones) add: what a preprocess holds beside the source's.
    public static func addedColumns(_ steps: [PreprocessStep]) -> Set<String> {
        var names: Set<String> = []
        for step in steps {
            switch step.op {
            case "trademaster_features": names.formUnion(featureColumns)
            case "split": names.insert("split")
            case "normalize":
                for column in step.columns ?? [] where priceColumns.contains(column) { names.insert("\(column)_\(step.method ?? "")") }
            case "indicators":
                for indicator in step.indicators ?? [] { names.formUnion(columns(of: indicator)) }
            default: break
            }
        }
        return names
    }

    private static func validateColumns(
        _ columns: [String]?, at: String, known: Set<String>, prices: Bool,
        fail: (String, String) -> Void
    ) {
        guard let columns else { return }
        if columns.isEmpty || columns.count > 50 { fail(at + "/columns", "give 1 to 50 columns") }
        for (k, column) in columns.enumerated() where !known.contains(column) && !(prices && priceColumns.contains(column)) {
            fail(
                at + "/columns/\(k)",
                prices
                    ? "must be open…volume or a column added by an earlier step"
                    : "must be a column added by an earlier step")
        }
    }
}
