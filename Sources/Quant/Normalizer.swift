/// A scaling fitted on one part of the data (the training part) and applied to any part, so no
/// information from the validation or test parts leaks into the fit.
public struct Normalizer: Sendable, Equatable {
    /// The scaling method.
    public enum Method: String, Sendable {
        /// (x − min) / (max − min), min and max of the fitted data.
        case minMax = "min_max"
        /// (x − mean) / std (ddof = 1) of the fitted data.
        case zScore = "z_score"
    }

    /// The method.
    public let method: Method
    /// The value subtracted (min or mean).
    public let offset: Double
    /// The divisor (range or std); 1 when the fitted data are constant.
    public let scale: Double

    /// Fits on `training` (finite; at least 1 value, 2 for z-score).
    public init(fitting training: [Double], method: Method) throws(QuantError) {
        try Validation.requireFinite(training, name: "training values")
        let needed = method == .zScore ? 2 : 1
        guard training.count >= needed else {
            throw .insufficientData(what: "training values", required: needed, actual: training.count)
        }
        self.method = method
        switch method {
        case .minMax:
            let lo = training.min() ?? 0
            let hi = training.max() ?? 0
            offset = lo
            scale = hi > lo ? hi - lo : 1
        case .zScore:
            offset = Statistics.mean(training)
            let sd = Statistics.dispersion(training)
            scale = sd > 0 ? sd : 1
        }
    }

    /// Scales values with the fitted parameters.
    public func transform(_ x: [Double]) -> [Double] { x.map { ($0 - offset) / scale } }

    /// Undoes `transform`.
    public func inverse(_ y: [Double]) -> [Double] { y.map { $0 * scale + offset } }
}
