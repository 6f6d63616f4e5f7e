import JobRuntime

extension JobRegistry {
    /// Every job kind of the backend: the one place where kinds are registered. The
    /// diagnostic kinds (`diag.*`) only with `TM_DIAGNOSTICS=true`; the training kinds with
    /// `training`'s TradeMaster client (a default one when only the kinds are wanted).
    /// Paper runs stop after `paperMaxSeconds` (`TM_PAPER_RUN_MAX_SECONDS`).
    public static func standard(diagnostics: Bool, training: TrainingEngines? = nil, paperMaxSeconds: Int = 86_400) -> JobRegistry {
        var registry = JobRegistry()
        registry.register(RunService.jobKind, RunJob(paperMaxSeconds: paperMaxSeconds))
        if diagnostics { DiagnosticJobs.register(on: &registry) }
        PreprocessJob.register(on: &registry)
        ImportJob.register(on: &registry)
        (training ?? TrainingEngines(configuration: TrainingConfiguration())).register(on: &registry)
        return registry
    }
}
