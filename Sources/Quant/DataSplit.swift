/// A chronological train / validation / test split of row indices (no shuffling: later rows
/// never train a model evaluated on earlier ones).
public struct DataSplit: Sendable, Equatable {
    /// The first rows.
    public var train: Range<Int>
    /// The rows after training.
    public var validation: Range<Int>
    /// The last rows.
    public var test: Range<Int>

    /// Splits `count` rows: ⌊count·train⌋ training rows, ⌊count·validation⌋ validation rows,
    /// the rest for testing. Fractions must be ≥ 0 with train > 0 and train + validation ≤ 1.
    public init(count: Int, train: Double = 0.7, validation: Double = 0.15) throws(QuantError) {
        guard count >= 0 else { throw .invalidArgument(name: "count", reason: "must not be negative") }
        guard train > 0, validation >= 0, train + validation <= 1 else {
            throw .invalidArgument(
                name: "fractions", reason: "need train > 0, validation ≥ 0 and train + validation ≤ 1 (got \(train), \(validation))")
        }
        let nTrain = Int((Double(count) * train).rounded(.down))
        let nValid = min(count - nTrain, Int((Double(count) * validation).rounded(.down)))
        self.train = 0..<nTrain
        self.validation = nTrain..<(nTrain + nValid)
        self.test = (nTrain + nValid)..<count
    }

    /// The three parts of a series.
    public func apply(to series: OHLCVSeries) -> (train: OHLCVSeries, validation: OHLCVSeries, test: OHLCVSeries) {
        (series.rows(Array(train)), series.rows(Array(validation)), series.rows(Array(test)))
    }
}
