import TMFcgi

/// One step of `POST /api/v1/data/preprocess`: an object named by `op` with its options
/// beside it. Supported: `resample` (`to`), `drop_outliers` (`z`, default 3), and
/// `indicators` (`indicators: [{name, window…}]`). Steps that change the rows come first.
struct PreprocessStep: Codable {
    var op: String
    /// `resample`: the target interval (`5min`, `15min`, `30min`, `1h`, `4h`, `1d`).
    var to: String?
    /// `drop_outliers`: the z-score of returns above which a bar is dropped.
    var z: Double?
    /// `indicators`: what to add.
    var indicators: [Indicator]?

    /// An indicator to add as column(s).
    struct Indicator: Codable {
        /// `sma`, `ema`, `rsi`, `macd`, `bollinger` or `atr`.
        var name: String
        /// The window (sma, ema, rsi, bollinger, atr).
        var window: Int?
        /// MACD's fast span (12).
        var fast: Int?
        /// MACD's slow span (26).
        var slow: Int?
        /// MACD's signal span (9).
        var signal: Int?
        /// Bollinger's width in standard deviations.
        var k: Double?
    }

    /// The operations this server runs.
    static let operations = ["resample", "drop_outliers", "indicators"]
    /// Resampling targets in seconds.
    static let intervals: [String: Int64] = ["5min": 300, "15min": 900, "30min": 1800, "1h": 3600, "4h": 14_400, "1d": 86_400]

    /// The names of the columns an indicator adds.
    static func columns(of indicator: Indicator) -> [String] {
        switch indicator.name {
        case "macd": return ["macd", "macd_signal", "macd_hist"].map { "\($0)_\(indicator.fast ?? 12)_\(indicator.slow ?? 26)_\(indicator.signal ?? 9)" }
        case "bollinger": return ["bb_middle", "bb_upper", "bb_lower"].map { "\($0)_\(indicator.window ?? 20)" }
        default: return ["\(indicator.name)_\(indicator.window ?? 14)"]
        }
    }

    /// Every problem with `steps`, each at its JSON pointer.
    static func validate(_ steps: [PreprocessStep]) -> [FieldError] {
        var errors: [FieldError] = []
        var seenIndicators = false
        var names: Set<String> = []
        if steps.isEmpty || steps.count > 20 { errors.append(FieldError(pointer: "/steps", detail: "give 1 to 20 steps")) }
        for (i, step) in steps.enumerated() {
            let at = "/steps/\(i)"
            guard operations.contains(step.op) else {
                errors.append(FieldError(pointer: at + "/op", detail: "must be one of \(operations.joined(separator: ", "))"))
                continue
            }
            if step.op != "indicators" && seenIndicators {
                errors.append(FieldError(pointer: at, detail: "steps that change the rows must come before indicators"))
            }
            switch step.op {
            case "resample":
                if step.to.flatMap({ intervals[$0] }) == nil {
                    errors.append(FieldError(pointer: at + "/to", detail: "must be one of \(intervals.keys.sorted().joined(separator: ", "))"))
                }
            case "drop_outliers":
                if let z = step.z, !(z > 0 && z <= 100) { errors.append(FieldError(pointer: at + "/z", detail: "must be in (0, 100]")) }
            default:
                seenIndicators = true
                guard let indicators = step.indicators, !indicators.isEmpty, indicators.count <= 20 else {
                    errors.append(FieldError(pointer: at + "/indicators", detail: "give 1 to 20 indicators"))
                    continue
                }
                for (k, indicator) in indicators.enumerated() {
                    let ip = at + "/indicators/\(k)"
                    guard ["sma", "ema", "rsi", "macd", "bollinger", "atr"].contains(indicator.name) else {
                        errors.append(FieldError(pointer: ip + "/name", detail: "must be sma, ema, rsi, macd, bollinger or atr"))
                        continue
                    }
                    for (key, value) in [("window", indicator.window), ("fast", indicator.fast), ("slow", indicator.slow), ("signal", indicator.signal)] {
                        if let value, !(1...1000).contains(value) { errors.append(FieldError(pointer: ip + "/" + key, detail: "must be in 1...1000")) }
                    }
                    if let k = indicator.k, !(k > 0 && k <= 10) { errors.append(FieldError(pointer: ip + "/k", detail: "must be in (0, 10]")) }
                    if (indicator.fast ?? 12) >= (indicator.slow ?? 26) && indicator.name == "macd" {
                        errors.append(FieldError(pointer: ip + "/fast", detail: "must be below slow"))
                    }
                    for column in columns(of: indicator) where !names.insert(column).inserted {
                        errors.append(FieldError(pointer: ip, detail: "adds \(column) a second time"))
                    }
                }
            }
        }
        return errors
    }
}
