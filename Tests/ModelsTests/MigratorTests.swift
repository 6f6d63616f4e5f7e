import Testing
@testable import Models

/// Migration checksums keep their stored form (FNV-1a 64, unpadded lower-case hex), so
/// databases migrated before the shared FNV type still match.
@Suite struct MigratorTests {
    @Test func fingerprintIsUnchanged() {
        // Python: 'CREATE TABLE t (id bigint);\n' → 66c1c80f749548b.
        #expect(Migrator.fingerprint("CREATE TABLE t (id bigint);\n") == "66c1c80f749548b")
        #expect(Migrator.fingerprint("") == "cbf29ce484222325")
    }
}
