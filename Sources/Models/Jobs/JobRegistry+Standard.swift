extension JobRegistry {
    /// Every job kind of the backend: the one place where kinds are registered. The
    /// diagnostic kinds (`diag.*`) only with `TM_DIAGNOSTICS=true`.
    public static func standard(diagnostics: Bool) -> JobRegistry {
        var registry = JobRegistry()
        registry.register(RunService.jobKind, RunJob())
        if diagnostics { DiagnosticJobs.register(on: &registry) }
        PreprocessJob.register(on: &registry)
        ImportJob.register(on: &registry)
        return registry
    }
}
