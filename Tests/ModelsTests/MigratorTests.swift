import Foundation
import Testing

@testable import Models
@testable import PostgresClient

/// Migration checksums keep their stored form (FNV-1a 64, unpadded lower-case hex), so
/// databases migrated before the shared FNV type still match.
@Suite struct MigratorTests {
    @Test func fingerprintIsUnchanged() {
        // Python: 'CREATE TABLE t (id bigint);\n' → 66c1c80f749548b.
        #expect(Migrator.fingerprint("CREATE TABLE t (id bigint);\n") == "66c1c80f749548b")
        #expect(Migrator.fingerprint("") == "cbf29ce484222325")
    }
}

/// What `tm migrate` refuses before applying anything, and the schema version the binary
/// carries.
@Suite struct MigrationOrderTests {
    static func script(_ version: Int, _ text: String = "SELECT 1;") -> MigrationScript {
        MigrationScript(version: version, name: "m\(version)", text: text, checksum: Migrator.fingerprint(text))
    }

    @Test func pendingFilesAboveTheHighestAppliedAreApplied() throws {
        let scripts = [Self.script(1), Self.script(2), Self.script(3)]
        #expect(try Migrator.pending(scripts, applied: [:]).map(\.version) == [1, 2, 3])
        #expect(try Migrator.pending(scripts, applied: [1: scripts[0].checksum]).map(\.version) == [2, 3])
        #expect(try Migrator.pending(scripts, applied: [1: scripts[0].checksum, 2: scripts[1].checksum, 3: scripts[2].checksum]).isEmpty)
    }

    @Test func aFileNumberedBelowTheHighestAppliedIsRefused() {
        let scripts = [Self.script(1), Self.script(2), Self.script(3)]
        #expect(throws: MigrationError.self) { try Migrator.pending(scripts, applied: [1: scripts[0].checksum, 3: scripts[2].checksum]) }
        do {
            _ = try Migrator.pending(scripts, applied: [1: scripts[0].checksum, 3: scripts[2].checksum])
        } catch {
            #expect("\(error)".contains("0002_m2 is numbered below 0003"), "\(error)")
            #expect("\(error)".contains("nothing was applied"), "\(error)")
        }
    }

    @Test func anEditedAppliedFileIsRefusedEvenWithOthersPending() {
        let scripts = [Self.script(1, "CREATE TABLE a (id bigint);"), Self.script(2)]
        do {
            _ = try Migrator.pending(scripts, applied: [1: Migrator.fingerprint("CREATE TABLE a (id int);")])
            Issue.record("an edited migration was accepted")
        } catch {
            #expect("\(error)".contains("0001_m1 was edited after it was applied"), "\(error)")
            #expect("\(error)".contains("new migration numbered 0002"), "\(error)")
        }
    }

    /// The compiled-in schema version is the highest file of `migrations/`: a new migration
    /// must bump it (and the binary then refuses databases beyond it).
    @Test func schemaVersionIsTheHighestMigrationFile() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scripts = try Migrator(directory: repo.path + "/migrations").load()
        #expect(Schema.version == scripts.last?.version)
        #expect(Schema.verdict(applied: nil) == .empty)
        #expect(Schema.verdict(applied: Schema.version - 1) == .behind(applied: Schema.version - 1))
        #expect(Schema.verdict(applied: Schema.version) == .current)
        #expect(Schema.verdict(applied: Schema.version + 1) == .ahead(applied: Schema.version + 1))
    }
}
