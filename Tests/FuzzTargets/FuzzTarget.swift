/// One fuzz target: a production code path fed arbitrary bytes. It must return for every
/// input; a trap, a sanitizer report or a hang is a finding.
public struct FuzzTarget: Sendable {
    /// The target's name: its corpus and regression folders are `fuzz/corpus/<name>` and `fuzz/regressions/<name>`.
    public let name: String
    /// The largest input worth trying (libFuzzer's `-max_len`).
    public let maximumLength: Int
    /// Runs one input.
    public let run: @Sendable ([UInt8]) -> Void

    /// A target named `name`.
    public init(_ name: String, maximumLength: Int, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.maximumLength = maximumLength
        self.run = run
    }

    /// Every target, in the order `scripts/fuzz` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget("json", maximumLength: 4096, run: TextTargets.json),
        FuzzTarget("form", maximumLength: 2048, run: TextTargets.form),
        FuzzTarget("timestamp", maximumLength: 128, run: TextTargets.timestamp),
        FuzzTarget("jwt", maximumLength: 1024, run: TextTargets.jwt),
        FuzzTarget("bar-file", maximumLength: 8192, run: UploadTargets.barFile),
        FuzzTarget("csv-series", maximumLength: 8192, run: UploadTargets.csvSeries),
        FuzzTarget("multipart", maximumLength: 8192, run: UploadTargets.multipart),
        FuzzTarget("gzip", maximumLength: 4096, run: UploadTargets.gzip),
        FuzzTarget("preprocess", maximumLength: 1024, run: QuantTargets.preprocess),
        FuzzTarget("parameter-space", maximumLength: 1024, run: QuantTargets.parameterSpace),
        FuzzTarget("backtest", maximumLength: 2048, run: QuantTargets.backtest),
        FuzzTarget("portfolio", maximumLength: 2048, run: QuantTargets.portfolio),
        FuzzTarget("metrics", maximumLength: 2048, run: QuantTargets.metrics),
        FuzzTarget("tear-sheet", maximumLength: 1024, run: QuantTargets.tearSheet),
    ]

    /// The target named `name`.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
