import ArgumentParser
import Configuration
import Logging
import Models
import PostgresClient

extension Startup {
    /// Refuses to run on a database that has migrations newer than this binary knows (a
    /// rolled-back binary, or a host upgraded after another migrated): its SQL was not
    /// written for that schema. One JSON log line, exit code 2. A database that cannot be
    /// reached is not refused (the pool answers 503 until it is back); one that is behind
    /// is only warned about (unless `quiet`), since `tm migrate` may be about to run.
    static func requireKnownSchema(settings: Settings, logger: Logger, quiet: Bool = false) throws {
        let applied: Int?
        do {
            let connection = try PostgresConnection(url: settings.databaseURL)
            applied = try Migrator(directory: settings.migrationsDirectory).appliedVersion(on: connection)
        } catch {
            if quiet { return }
            logger.warning("schema version not checked", metadata: ["error": "\(error)", "schema_known": "\(Schema.version)"])
            return
        }
        let verdict = Schema.verdict(applied: applied)
        if case .ahead(let version) = verdict {
            logger.critical(
                "refusing to start: the database schema is newer than this binary",
                metadata: [
                    "schema_applied": "\(version)", "schema_known": "\(Schema.version)",
                    "hint": "install the binary built for migration \(version) or later (never roll back a migrated database's binary)",
                ])
            throw ExitCode(2)
        }
        guard !quiet else { return }
        if case .empty = verdict {
            logger.warning("the database has no migrations applied: run tm migrate", metadata: ["schema_known": "\(Schema.version)"])
        } else if case .behind(let version) = verdict {
            logger.warning(
                "the database schema is older than this binary: run tm migrate",
                metadata: ["schema_applied": "\(version)", "schema_known": "\(Schema.version)"])
        }
    }
}
