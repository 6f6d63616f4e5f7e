import Foundation
import TestSupport
import Testing

/// Upgrades as an operator runs them (install the binary, `tm migrate`, reload), each on a
/// scratch database of the stack's PostgreSQL: what `tm migrate` refuses, what `tm serve`
/// and `tm worker` refuse, and a database populated under the previous schema migrated to
/// the newest with its rows intact and readable through the pool.
@Suite(.serialized) struct UpgradeTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func scratchDatabase() throws -> (name: String, url: String) { try stack.scratchDatabase(prefix: "tm_upgrade") }

    func dropDatabase(_ name: String) { stack.dropDatabase(name) }

    func tm(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) { try stack.tm(arguments, environment) }

    func psql(_ url: String, _ sql: String) throws -> String {
        let result = try TestStack.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        #expect(result.status == 0, "\(sql): \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tm-migrations-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    /// The repository's migration files, sorted.
    func migrationFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: stack.repo + "/migrations").filter { $0.hasSuffix(".sql") }.sorted()
    }

    @Test func aFileNumberedBelowTheHighestAppliedIsRefusedAndNothingIsApplied() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let dir = try folder(["0001_a.sql": "CREATE TABLE a (id int);", "0003_c.sql": "CREATE TABLE c (id int);"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try tm(["migrate", "--dir", dir], ["DATABASE_URL": url]).status == 0)
        // A branch's 0002 arrives after 0003 was applied, with a 0004 beside it.
        try "CREATE TABLE b (id int);".write(toFile: dir + "/0002_b.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE d (id int);".write(toFile: dir + "/0004_d.sql", atomically: true, encoding: .utf8)
        let refused = try tm(["migrate", "--dir", dir], ["DATABASE_URL": url])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("0002_b is numbered below 0003, the highest migration already applied"), "\(refused.output)")
        #expect(refused.output.contains("nothing was applied"), "\(refused.output)")
        #expect(try psql(url, "SELECT to_regclass('b') IS NULL AND to_regclass('d') IS NULL") == "t")
        #expect(try psql(url, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations") == "1,3")
        // Renumbered above the highest, it applies.
        try FileManager.default.moveItem(atPath: dir + "/0002_b.sql", toPath: dir + "/0005_b.sql")
        let renumbered = try tm(["migrate", "--dir", dir], ["DATABASE_URL": url])
        #expect(renumbered.status == 0 && renumbered.output.contains("applied 2 migration(s)"), "\(renumbered.output)")
    }

    @Test func aChangedChecksumIsRefusedAndNothingIsApplied() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let dir = try folder(["0001_a.sql": "CREATE TABLE a (id int);", "0002_b.sql": "CREATE TABLE b (id int);"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try tm(["migrate", "--dir", dir], ["DATABASE_URL": url]).status == 0)
        try "CREATE TABLE a (id bigint);".write(toFile: dir + "/0001_a.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE c (id int);".write(toFile: dir + "/0003_c.sql", atomically: true, encoding: .utf8)
        let refused = try tm(["migrate", "--dir", dir], ["DATABASE_URL": url])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("migration 0001_a was edited after it was applied"), "\(refused.output)")
        #expect(refused.output.contains("new migration numbered 0003 or above"), "\(refused.output)")
        #expect(try psql(url, "SELECT to_regclass('c') IS NULL") == "t")
        #expect(try psql(url, "SELECT count(*) FROM schema_migrations") == "2")
    }

    /// Runs `tm COMMAND` on `url` and waits up to 20 s for it to exit; kills it otherwise.
    func runToExit(_ arguments: [String], url: String) throws -> (status: Int32?, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tm-upgrade-\(UUID().uuidString.prefix(8)).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var env = ProcessInfo.processInfo.environment
        env["TM_ENV_FILE"] = stack.envFile
        env["DATABASE_URL"] = url
        let pid = try Subprocess.spawn([stack.binary] + arguments, environment: env, outputPath: log)
        let status = Subprocess.wait(pid, seconds: 20)
        if status == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid, seconds: 5)
        }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func serveAndWorkerRefuseADatabaseNewerThanTheBinary() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let migrated = try tm(["migrate", "--dir", stack.repo + "/migrations"], ["DATABASE_URL": url])
        #expect(migrated.status == 0, "\(migrated.output)")
        let known = try #require(Int(try migrationFiles().last!.prefix(4)))
        // A later binary migrated this database further.
        _ = try psql(url, "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(known + 1), 'from_the_future', 'x')")
        let socket = "/tmp/tm-upgrade-\(UUID().uuidString.prefix(6)).sock"
        for arguments in [["serve", "--listen", socket, "--workers", "1"], ["worker", "--concurrency", "1"]] {
            let result = try runToExit(arguments, url: url)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            let lines = result.output.split(separator: "\n").filter { $0.contains("schema is newer") }
            #expect(lines.count == 1, "\(arguments): \(result.output)")
            let line = try #require(
                lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] },
                "\(arguments): not one JSON line: \(result.output)")
            #expect(line["level"] as? String == "critical", "\(line)")
            #expect(line["schema_applied"] as? String == "\(known + 1)", "\(line)")
            #expect(line["schema_known"] as? String == "\(known)", "\(line)")
        }
        #expect(!FileManager.default.fileExists(atPath: socket), "serve must refuse before it listens")
    }

    /// A reload starts workers from the binary installed now; when the database is newer
    /// than that binary (a rollback after a migration), they refuse, the master abandons the
    /// reload, and the running generation keeps serving.
    @Test func aReloadOntoANewerSchemaIsAbandonedAndTheRunningWorkersKeepServing() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        #expect(try tm(["migrate", "--dir", stack.repo + "/migrations"], ["DATABASE_URL": url]).status == 0)
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, environment: ["DATABASE_URL": url])
        defer { pool.stop() }
        let running = pool.workerPIDs()
        let known = try #require(Int(try migrationFiles().last!.prefix(4)))
        _ = try psql(url, "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(known + 1), 'from_the_future', 'x')")
        pool.signalMaster(SIGHUP)
        #expect(pool.wait(seconds: 20) { pool.logText.contains("reload failed; keeping the running generation") }, "\(pool.logText)")
        #expect(pool.logText.contains("refusing to start: the database schema is newer than this binary"))
        #expect(pool.workerPIDs() == running)
        #expect(try pool.client().send("GET", "/health").status == 200)
    }

    /// A database at the previous schema (every file but the newest), populated with that
    /// schema's SQL, migrated to the newest: the rows are unchanged, and the pool reads them.
    @Test func aDatabaseOfThePreviousSchemaUpgradesWithItsRowsIntact() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let files = try migrationFiles()
        let previous = try folder([:])
        defer { try? FileManager.default.removeItem(atPath: previous) }
        for file in files.dropLast() { try FileManager.default.copyItem(atPath: stack.repo + "/migrations/" + file, toPath: previous + "/" + file) }
        let first = try tm(["migrate", "--dir", previous], ["DATABASE_URL": url])
        #expect(first.status == 0 && first.output.contains("applied \(files.count - 1) migration(s)"), "\(first.output)")

        // Ids far above the stack's, so the shared Redis (profile cache) sees users it never saw.
        let uid = Int64.random(in: 1_000_000_000...2_000_000_000)
        let key = "tmk_" + String(repeating: "A", count: 43)  // a well-formed key: 32 zero bytes
        _ = try psql(
            url,
            """
            INSERT INTO users (id, username, email, full_name, password_hash, role)
                VALUES (\(uid), 'upgrade_user', 'upgrade@example.com', 'Up Grade', '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA', 'user');
            INSERT INTO api_keys (user_id, name, prefix, key_hash)
                VALUES (\(uid), 'upgrade', 'AAAAAAAA', encode(sha256(convert_to('\(key)', 'UTF8')), 'hex'));
            INSERT INTO strategies (id, owner_id, name, description, strategy_type, engine, kind, parameters, trading, tags)
                VALUES (\(uid), \(uid), 'Crossover', 'kept across the upgrade', 'algorithmic_trading', 'builtin', 'sma_crossover',
                        '{"fast": 10, "slow": 30}', '{"initial_capital": 100000}', '{upgrade}');
            INSERT INTO datasets (id, owner_id, name, layout, columns, summary, quality, row_count, size_bytes)
                VALUES (\(uid), \(uid), 'prices', 'wide',
                        '[{"name":"date","role":"date"},{"name":"open","role":"open"},{"name":"high","role":"high"},{"name":"low","role":"low"},{"name":"close","role":"close"},{"name":"volume","role":"volume"}]',
                        '{"row_count":2,"symbols":[{"symbol":"AAA","row_count":2,"first":"2024-01-01T00:00:00Z","last":"2024-01-02T00:00:00Z"}],"first":"2024-01-01T00:00:00Z","last":"2024-01-02T00:00:00Z","interval":"1d","interval_seconds":86400,"dates_only":true,"columns":[]}',
                        '{"gap_count":0,"gaps":[],"zero_volume_bars":0}', 2, 100);
            -- Bars as the previous schema stores them: rows of the table before 0025, a column chunk after.
            DO $$ BEGIN
                IF (SELECT relkind FROM pg_class WHERE oid = 'bars'::regclass) = 'r' THEN
                    INSERT INTO bars (dataset_id, symbol, ts, open, high, low, close, volume) VALUES
                        (\(uid), 'AAA', 1704067200, 10, 11, 9, 10.5, 1000), (\(uid), 'AAA', 1704153600, 10.5, 12, 10, 11.5, 1200);
                ELSE
                    INSERT INTO bar_chunks (dataset_id, symbol, first_ts, last_ts, bar_count, ts, open, high, low, close, volume) VALUES
                        (\(uid), 'AAA', 1704067200, 1704153600, 2, '{1704067200,1704153600}', '{10,10.5}', '{11,12}', '{9,10}',
                         '{10.5,11.5}', '{1000,1200}');
                END IF;
            END $$;
            INSERT INTO jobs (id, kind, owner_id, payload, status, attempts, progress, result, created_at, started_at, finished_at)
                VALUES (\(uid), 'diag.noop', \(uid), '{"n": 1}', 'succeeded', 1, 1, '{"ok": true}', now(), now(), now());
            """)
        let tables = ["users", "api_keys", "strategies", "datasets", "bars", "jobs"]
        // The columns of the previous schema: the newest migration may add columns (with their
        // defaults), and what was there must be unchanged.
        let columns = try tables.map {
            try psql(
                url,
                "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns "
                    + "WHERE table_schema = 'public' AND table_name = '\($0)'")
        }
        func fingerprints() throws -> [String] {
            try zip(tables, columns).map { table, columns in
                try psql(
                    url,
                    "SELECT count(*) || ':' || md5(coalesce(string_agg(row_to_json(t)::text, '|' ORDER BY row_to_json(t)::text), '')) "
                        + "FROM (SELECT \(columns) FROM \(table)) t")
            }
        }
        let before = try fingerprints()

        let upgrade = try tm(["migrate", "--dir", stack.repo + "/migrations"], ["DATABASE_URL": url])
        #expect(upgrade.status == 0 && upgrade.output.contains("applied \(files.last!.dropLast(4))"), "\(upgrade.output)")
        #expect(try fingerprints() == before)
        #expect(
            try psql(url, "SELECT max(version) FROM schema_migrations")
                == String(files.last!.prefix(4)).replacingOccurrences(of: "^0+", with: "", options: .regularExpression))

        // Readable by the new binary: its pool on this database answers the rows.
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, environment: ["DATABASE_URL": url])
        defer { pool.stop() }
        let client = pool.client()
        let headers = ["X-API-Key": key]
        let strategy = try client.send("GET", "/api/v1/strategies/\(uid)", headers: headers)
        #expect(strategy.status == 200, "\(strategy.text)")
        #expect(strategy.json["name"] as? String == "Crossover" && strategy.json["kind"] as? String == "sma_crossover", "\(strategy.text)")
        let dataset = try client.send("GET", "/api/v1/data/datasets/\(uid)", headers: headers)
        #expect(dataset.status == 200, "\(dataset.text)")
        #expect(dataset.json["name"] as? String == "prices", "\(dataset.text)")
        let job = try client.send("GET", "/api/v1/jobs/\(uid)", headers: headers)
        #expect(job.status == 200, "\(job.text)")
        #expect(job.json["status"] as? String == "succeeded" && job.json["kind"] as? String == "diag.noop", "\(job.text)")
        let me = try client.send("GET", "/api/v1/auth/me", headers: headers)
        #expect(me.status == 200 && me.json["username"] as? String == "upgrade_user", "\(me.text)")
    }
}
