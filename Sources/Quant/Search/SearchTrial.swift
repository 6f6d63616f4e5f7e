/// One evaluated combination of a parameter search.
public struct SearchTrial: Sendable, Equatable {
    /// Its position in the search's candidate list (0-based).
    public var index: Int
    /// The searched parameters' values.
    public var parameters: [String: Double]
    /// The objective on the training part (NaN when undefined or invalid).
    public var trainScore: Double
    /// The objective on the validation part (NaN when undefined or invalid).
    public var validScore: Double
    /// Why the combination could not run (`fast must be less than slow`), if it could not.
    public var error: String?

    /// A trial's outcome.
    public init(index: Int, parameters: [String: Double], trainScore: Double, validScore: Double, error: String? = nil) {
        self.index = index
        self.parameters = parameters
        self.trainScore = trainScore
        self.validScore = validScore
        self.error = error
    }
}
