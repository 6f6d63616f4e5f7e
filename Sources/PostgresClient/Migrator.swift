import Foundation
import Security

/// One numbered migration file, `NNNN_name.sql`.
public struct MigrationScript: Sendable {
    /// The number that orders it.
    public let version: Int
    /// The name after the number.
    public let name: String
    /// The SQL text.
    let text: String
    /// A fingerprint of the text, so an edited, already-applied migration is noticed.
    public let checksum: String

    /// `0012_runs`, as the file is named.
    public var label: String { String(format: "%04d_", version) + name }
}

/// A migration and whether it has been applied.
public struct MigrationStatus: Sendable {
    /// The migration.
    public let version: Int
    /// Its name.
    public let name: String
    /// When it was applied, if it was.
    public let appliedAt: Date?
}

/// Errors of `tm migrate`.
public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
}

/// Applies the numbered SQL files of a folder in order, each in its own transaction, under a
/// PostgreSQL advisory lock: running it twice, or from two hosts at once, applies each file
/// exactly once.
public struct Migrator {
    /// The lock id (an arbitrary constant shared by every `tm migrate`).
    static let lockID: Int64 = 7_461_123_001
    private let directory: String

    /// A migrator over `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// The migration files, sorted, checked for names and duplicate numbers.
    public func load() throws -> [MigrationScript] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        } catch {
            throw MigrationError(description: "cannot read the migrations folder \(directory): \(error.localizedDescription)")
        }
        var scripts: [MigrationScript] = []
        for file in names {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError(description: "\(file): migration files are named NNNN_name.sql")
            }
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            scripts.append(
                MigrationScript(
                    version: version, name: String(stem[stem.index(after: underscore)...]),
                    text: text, checksum: Self.fingerprint(text)))
        }
        scripts.sort { $0.version < $1.version }
        for (a, b) in zip(scripts, scripts.dropFirst()) where a.version == b.version {
            throw MigrationError(description: "two migrations are numbered \(a.version)")
        }
        return scripts
    }

    /// Applies what is missing; returns the migrations applied now. Everything is checked
    /// before anything is applied: an applied migration whose file changed, or a pending file
    /// numbered below the highest applied one, refuses the whole run (nothing is applied).
    @discardableResult
    public func migrate(on connection: PostgresConnection, log: (String) -> Void = { _ in }) throws -> [MigrationScript] {
        let scripts = try load()
        try connection.execute("SELECT pg_advisory_lock(\(Self.lockID))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.lockID))") }
        try ensureTable(connection)
        let pending = try Self.pending(scripts, applied: appliedChecksums(connection))
        for script in pending {
            try connection.transaction { tx in
                try tx.executeScript(script)
                try tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(script.version), \(script.name), \(script.checksum))")
            }
            log("applied \(script.label)")
        }
        return pending
    }

    /// The scripts still to apply, in order, after checking them against what is applied
    /// (`version → checksum`): an edited applied file, or a pending file numbered below the
    /// highest applied version, throws. Files are frozen once applied, and a late file
    /// numbered below others would run against a schema its author never saw (and on
    /// databases migrated later it would run in another order), so both are refused.
    static func pending(_ scripts: [MigrationScript], applied: [Int: String]) throws -> [MigrationScript] {
        for script in scripts {
            if let checksum = applied[script.version], checksum != script.checksum {
                throw MigrationError(
                    description: """
                        migration \(script.label) was edited after it was applied (checksum \(checksum) when applied, \
                        \(script.checksum) now): applied migrations are frozen. Restore the file as it was and put the \
                        change in a new migration numbered \(String(format: "%04d", (applied.keys.max() ?? 0) + 1)) or above; \
                        nothing was applied
                        """)
            }
        }
        guard let highest = applied.keys.max() else { return scripts }
        let pending = scripts.filter { applied[$0.version] == nil }
        let late = pending.filter { $0.version < highest }
        if !late.isEmpty {
            throw MigrationError(
                description: """
                    \(late.map(\.label).joined(separator: ", ")) \(late.count == 1 ? "is" : "are") numbered below \
                    \(String(format: "%04d", highest)), the highest migration already applied, but never applied: \
                    applying \(late.count == 1 ? "it" : "them") now would run out of order. Renumber \
                    \(late.count == 1 ? "it" : "each") above the highest number in the folder; nothing was applied
                    """)
        }
        return pending
    }

    /// The highest applied migration, or nil when none is (no `schema_migrations` table yet).
    public func appliedVersion(on connection: PostgresConnection) throws -> Int? {
        guard let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").first,
            try exists.decode("present", as: Bool.self)
        else { return nil }
        return try connection.query("SELECT max(version) AS version FROM schema_migrations").first?.decodeIfPresent("version")
    }

    /// Every migration file with its applied time (nil when pending).
    public func status(on connection: PostgresConnection) throws -> [MigrationStatus] {
        let scripts = try load()
        try ensureTable(connection)
        var appliedAt: [Int: Date] = [:]
        for row in try connection.query("SELECT version, applied_at FROM schema_migrations") {
            appliedAt[try row.decode("version")] = try row.decode("applied_at", as: Date.self)
        }
        return scripts.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: appliedAt[$0.version]) }
    }

    private func ensureTable(_ connection: PostgresConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func appliedChecksums(_ connection: PostgresConnection) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
            result[try row.decode("version")] = try row.decode("checksum")
        }
        return result
    }

    /// FNV-1a (64 bit) of the text: detects edits; not a security measure.
    static func fingerprint(_ text: String) -> String {
        var fnv = FNV1a()
        fnv.update(text.utf8)
        return fnv.hex
    }
}
