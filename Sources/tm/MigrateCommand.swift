import ArgumentParser
import Foundation
import Models
import PostgresClient

/// `tm migrate`: applies the numbered SQL migrations.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the numbered SQL migrations to DATABASE_URL (safe to run twice or concurrently).",
        discussion: """
            Files NNNN_name.sql in the migrations folder are applied in order, each in its own \
            transaction, under a PostgreSQL advisory lock, and recorded in schema_migrations. \
            Before anything is applied, two things are refused (exit code 1, nothing applied): an \
            applied migration whose file was edited afterwards (applied files are frozen: put the \
            change in a new file), and a file numbered below the highest applied migration that \
            was never applied (it would run out of order: renumber it above the highest).
            """)

    @Flag(help: "List the migrations and whether each is applied; change nothing.")
    var status = false

    @Option(help: "The migrations folder (TM_MIGRATIONS_DIR, default ./migrations).")
    var dir: String?

    func run() throws {
        let settings = Startup.settings()
        let migrator = Migrator(directory: dir ?? settings.migrationsDirectory)
        do {
            let connection = try PostgresConnection(url: settings.databaseURL)
            if status {
                for item in try migrator.status(on: connection) {
                    let state = item.appliedAt.map { "applied \(ISO8601DateFormatter().string(from: $0))" } ?? "pending"
                    print(String(format: "%04d  %-40@  %@", item.version, item.name as NSString, state as NSString))
                }
                return
            }
            let applied = try migrator.migrate(on: connection) { print($0) }
            print(applied.isEmpty ? "database is up to date" : "applied \(applied.count) migration(s)")
        } catch {
            FileHandle.standardError.write(Data("tm migrate: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
