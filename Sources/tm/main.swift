import ArgumentParser

/// `tm`: the TradeMaster backend's one binary (server pool, migrations, admin and analytics tools).
struct TM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tm",
        abstract: "TradeMaster Web Backend: FastCGI pool, migrations, admin and analytics tools.",
        subcommands: [
            ServeCommand.self, WorkerCommand.self, RelayCommand.self, JobsCommand.self, MigrateCommand.self, PruneCommand.self, BacktestCommand.self,
            MetricsCommand.self,
            UserCommand.self,
        ]
    )
}

TM.main()
