/// The job kinds of training and market-dynamics work, and the step each one is.
public enum TrainingKinds {
    /// A parameter search of a builtin strategy.
    public static let parameterSearch = "training.parameter_search"
    /// A TradeMaster train → test run of a trademaster strategy.
    public static let tradeMaster = "training.trademaster"
    /// TradeMaster market-dynamics labelling.
    public static let marketDynamics = "analysis.market_dynamics"
    /// A dynamics test of one label of a saved labelling.
    public static let dynamicsTest = "analysis.dynamics_test"

    /// The step a job kind does, as `TrainingJob.step` shows it.
    static func step(of jobKind: String?, kind: String) -> String {
        switch jobKind {
        case parameterSearch: return "search"
        case tradeMaster: return "train"
        case marketDynamics: return "labeling"
        case dynamicsTest: return "dynamics_test"
        default: return kind == "market_dynamics" ? "labeling" : (kind == "trademaster" ? "train" : "search")
        }
    }
}
