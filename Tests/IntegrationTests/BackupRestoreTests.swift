import Foundation
import TestSupport
import Testing

/// `scripts/backup` and `scripts/restore` against the test PostgreSQL, on a scratch database
/// (so the shared one is never wiped under other tests) filled through the API of a pool of
/// its own: back up, wipe, restore, and every table's rows, checksums and sequences are
/// what they were.
@Suite(.serialized) struct BackupRestoreTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func scratchDatabase() throws -> (name: String, url: String) { try stack.scratchDatabase(prefix: "tm_backup") }

    func dropDatabase(_ name: String) { stack.dropDatabase(name) }

    /// The rows of `query` on `url`, `|`-separated columns.
    func sql(_ url: String, _ query: String) throws -> [String] {
        let result = try TestStack.run(["psql", "-X", url, "-v", "ON_ERROR_STOP=1", "-tAc", query])
        try #require(result.status == 0, "psql: \(query)\n\(result.output)")
        return result.output.split(separator: "\n").map(String.init)
    }

    /// For every table of the public schema: its row count and an md5 of its rows in text
    /// order. For every sequence: its last value and whether it was called.
    func fingerprint(_ url: String) throws -> (tables: [String: String], sequences: [String: String]) {
        let tables = try sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        var counts: [String: String] = [:]
        if !tables.isEmpty {
            let query = tables.map { table in
                "SELECT '\(table)', count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM public.\"\(table)\" t"
            }.joined(separator: " UNION ALL ")
            for row in try sql(url, query) {
                let fields = row.split(separator: "|", maxSplits: 1).map(String.init)
                counts[fields[0]] = fields[1]
            }
        }
        let sequences = try sql(
            url, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relkind = 'S' AND nspname = 'public' ORDER BY 1")
        var values: [String: String] = [:]
        for sequence in sequences {
            values[sequence] = try sql(url, "SELECT last_value, is_called FROM public.\"\(sequence)\"").joined()
        }
        return (counts, values)
    }

    /// The schema as `pg_dump --schema-only` writes it, less the random `\restrict` keys.
    func schema(_ url: String) throws -> [String] {
        let result = try TestStack.run(["pg_dump", "--schema-only", url])
        try #require(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
    }

    /// The rows count of `table` out of a fingerprint entry (`count|md5`).
    static func rows(_ entry: String?) -> Int { Int(entry?.split(separator: "|").first ?? "") ?? -1 }

    /// Fills `url` as users do: accounts, logins, an API key, a dataset with its bars, a
    /// strategy (and a deleted one), a backtest run by a job worker with an idempotency key,
    /// all through a pool and a `tm worker` of its own on that database; then a few awkward
    /// values through SQL.
    func populate(_ url: String) throws {
        let migrated = try TestStack.run(
            [stack.binary, "migrate", "--dir", stack.repo + "/migrations"],
            environment: ["TM_ENV_FILE": stack.envFile, "DATABASE_URL": url])
        try #require(migrated.status == 0, "\(migrated.output)")
        // A Redis database of its own too, so these user ids never meet the shared ones' keys.
        var redis = try #require(URLComponents(string: stack.redisURL))
        redis.path = "/9"
        let environment = ["DATABASE_URL": url, "REDIS_URL": try #require(redis.string)]
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, environment: environment)
        defer { pool.stop() }
        let worker = try TestWorker(stack: stack, concurrency: 2, environment: environment)
        defer { worker.stop() }
        try worker.waitUntilListening()
        let client = pool.client()

        var bearers: [[String: String]] = []
        for index in 0..<3 {
            let username = AuthFixtures.uniqueName("bk\(index)")
            let registered = try client.send(
                "POST", "/api/v1/auth/register",
                json: [
                    "username": username, "email": "\(username)@example.com", "password": AuthFixtures.password,
                    "full_name": "Backup Ünïcode \(index)", "agree_terms": true,
                ])
            try #require(registered.status == 201, "register: \(registered.status) \(registered.text)")
            let login = try client.send("POST", "/api/v1/auth/login", json: ["username": username, "password": AuthFixtures.password])
            try #require(login.status == 200, "login: \(login.status) \(login.text)")
            let tokens = try AuthFixtures.tokens(from: try #require(login.json["tokens"] as? [String: Any]))
            bearers.append(tokens.bearer)
        }
        let auth = bearers[0]
        let key = try client.send("POST", "/api/v1/auth/api-keys", headers: auth, json: ["name": "backup test"])
        #expect(key.status == 201, "api key: \(key.status) \(key.text)")

        let csv = DataFixtures.wideDaily(count: 300, seed: 19).text
        let upload = try client.send(
            "POST", "/api/v1/data/upload?name=\(AuthFixtures.uniqueName("ds"))&symbol=AAA",
            headers: auth.merging(["Content-Type": "text/csv"]) { $1 }, body: Array(csv.utf8))
        try #require(upload.status == 201, "upload: \(upload.status) \(upload.text)")
        let dataset = try #require(upload.json["id"] as? Int)

        func strategy(_ name: String) throws -> Int {
            let created = try client.send(
                "POST", "/api/v1/strategies", headers: auth,
                json: [
                    "name": name, "strategy_type": "algorithmic_trading", "engine": "builtin", "kind": "sma_crossover",
                    "parameters": ["fast": 3, "slow": 8], "trading": [:] as [String: Any],
                ])
            try #require(created.status == 201, "strategy: \(created.status) \(created.text)")
            return try #require(created.json["id"] as? Int)
        }
        let kept = try strategy(AuthFixtures.uniqueName("s"))
        // A deleted row leaves its sequence ahead of every id: restored sequences must be too.
        let deleted = try strategy(AuthFixtures.uniqueName("s"))
        #expect(try client.send("DELETE", "/api/v1/strategies/\(deleted)", headers: auth).status == 204)

        let execute = try client.send(
            "POST", "/api/v1/strategies/\(kept)/execute",
            headers: auth.merging(["Idempotency-Key": UUID().uuidString]) { $1 },
            json: ["dataset_id": dataset, "symbol": "AAA"])
        try #require(execute.status == 202 || execute.status == 201, "execute: \(execute.status) \(execute.text)")
        let run = try #require(execute.json["id"] as? Int)
        let deadline = Date().addingTimeInterval(60)
        while true {
            let status = try client.send("GET", "/api/v1/runs/\(run)", headers: auth).json["status"] as? String
            if status == "succeeded" { break }
            try #require(status != "failed" && Date() < deadline, "run \(run): \(status ?? "?")\n\(worker.log)")
            usleep(100_000)
        }

        // Values whose text form is easy to get wrong: quotes, tabs, newlines, backslashes, NULLs.
        _ = try sql(
            url,
            """
            UPDATE users SET full_name = E'O''Brien\\t"tab"\\nnew line \\\\ back', last_login_at = NULL
            WHERE id = (SELECT min(id) FROM users)
            """)
    }

    @Test func backupWipeRestoreGivesIdenticalData() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        try populate(url)
        let before = try fingerprint(url)
        let nonEmpty = before.tables.filter { Self.rows($0.value) > 0 }.keys.sorted()
        for table in [
            "users", "audit_events", "api_keys", "datasets", "bar_chunks", "strategies", "strategy_list_versions",
            "jobs", "runs", "run_series", "run_trades", "idempotency_keys", "schema_migrations",
        ] {
            #expect(nonEmpty.contains(table), "\(table) is empty: \(before.tables)")
        }
        #expect(before.tables.count >= 15 && before.sequences.count >= 8, "\(before)")
        let schemaBefore = try schema(url)

        // The backup reads DATABASE_URL from --env-file, which wins over the environment's.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-backups-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let envFile = folder + ".env"
        defer { try? FileManager.default.removeItem(atPath: envFile) }
        try "# written by BackupRestoreTests\nexport DATABASE_URL=\"\(url)\"\nREDIS_URL=redis://unused\n"
            .write(toFile: envFile, atomically: true, encoding: .utf8)
        let backup = try TestStack.run(
            [stack.repo + "/scripts/backup", "--env-file", envFile, "--dir", folder],
            environment: ["DATABASE_URL": "postgresql://nobody:wrong@127.0.0.1:1/none"])
        try #require(backup.status == 0, "\(backup.output)")
        let password = try #require(URLComponents(string: url)?.password)
        #expect(!backup.output.contains(password), "the password was printed: \(backup.output)")
        let line = try #require(backup.output.split(separator: "\n").last.map(String.init))
        let match = try #require(line.firstMatch(of: /^backup (\S+\/trademaster-\d{8}T\d{6}Z\.dump) (\d+) bytes (\d+\.\d\d) s/), "\(line)")
        let dump = String(match.1)
        let size = try #require(FileManager.default.attributesOfItem(atPath: dump)[.size] as? Int)
        #expect(size == Int(match.2) && size > 10_000, "\(line)")
        let dumpMode = try #require(FileManager.default.attributesOfItem(atPath: dump)[.posixPermissions] as? Int)
        let folderMode = try #require(FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int)
        #expect(dumpMode == 0o600 && folderMode == 0o700, "modes \(String(dumpMode, radix: 8)) \(String(folderMode, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".partial") }.isEmpty)

        // restore: nothing without --yes; nothing when the database has a table the dump lacks.
        // The pool that filled the database kept its sessions in Redis database 9; a restore
        // empties that database (the app's REDIS_URL), never another one.
        var redis = try #require(URLComponents(string: stack.redisURL))
        redis.path = "/9"
        let restoreEnvironment = ["DATABASE_URL": url, "REDIS_URL": try #require(redis.string)]
        func redisCLI(_ db: Int, _ command: String...) throws -> String {
            let password = (redis.password ?? "").removingPercentEncoding ?? ""
            let answer = try TestStack.run(
                ["redis-cli", "-h", redis.host ?? "127.0.0.1", "-p", "\(redis.port ?? 6379)", "-n", "\(db)"] + command,
                environment: ["REDISCLI_AUTH": password])
            return answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(Int(try redisCLI(9, "DBSIZE")) ?? 0 > 0, "the fill's logins left sessions")
        let marker = "tm:test:restore-marker:\(UUID().uuidString)"
        #expect(try redisCLI(0, "SET", marker, "1", "EX", "600") == "OK")
        let refused = try TestStack.run([stack.repo + "/scripts/restore", dump], environment: restoreEnvironment)
        #expect(refused.status != 0 && refused.output.contains("--yes"), "\(refused.output)")
        _ = try sql(url, "CREATE TABLE after_backup (id int); DELETE FROM run_trades")
        let extra = try TestStack.run([stack.repo + "/scripts/restore", dump, "--yes"], environment: restoreEnvironment)
        #expect(extra.status != 0 && extra.output.contains("public.after_backup"), "\(extra.output)")
        #expect(Self.rows(try fingerprint(url).tables["run_trades"]) == 0, "a refused restore changed data")
        _ = try sql(url, "DROP TABLE after_backup")

        // Wipe: the schema and everything in it.
        _ = try sql(url, "DROP SCHEMA public CASCADE")
        let left = try sql(
            url,
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            """)
        #expect(left == ["0"], "the wipe left relations: \(left)")
        #expect(try fingerprint(url).tables.isEmpty)

        let restored = try TestStack.run([stack.repo + "/scripts/restore", dump, "--yes"], environment: restoreEnvironment)
        try #require(restored.status == 0, "\(restored.output)")
        #expect(!restored.output.contains(password), "the password was printed: \(restored.output)")
        #expect(restored.output.contains("emptied Redis database 9"), "\(restored.output)")
        #expect(try redisCLI(9, "DBSIZE") == "0", "sessions naming users by id survived the restore")
        #expect(try redisCLI(0, "EXISTS", marker) == "1", "another Redis database was emptied")
        #expect(!restored.output.contains(redis.password ?? "-"), "the Redis password was printed")
        let after = try fingerprint(url)
        #expect(after.tables == before.tables)
        for table in Set(before.tables.keys).union(after.tables.keys).sorted() where before.tables[table] != after.tables[table] {
            Issue.record("\(table): \(before.tables[table] ?? "missing") before, \(after.tables[table] ?? "missing") after")
        }
        #expect(after.sequences == before.sequences, "sequences \(before.sequences) before, \(after.sequences) after")
        // restore printed each table's row count, and they are the real ones.
        for (table, entry) in before.tables {
            let printed = restored.output.split(separator: "\n").contains {
                $0.split(separator: " ") == [Substring(table), Substring(String(Self.rows(entry)))]
            }
            #expect(printed, "\(table) \(Self.rows(entry)) not in: \(restored.output)")
        }
        let schemaAfter = try schema(url)
        #expect(schemaAfter == schemaBefore, "the schema differs after the restore")
        // The triggers came back too: a user's update still bumps its version.
        let version = try sql(url, "UPDATE users SET full_name = 'x' WHERE id = (SELECT min(id) FROM users) RETURNING version")
        #expect(Int(version.first ?? "") ?? 0 >= 2, "\(version)")

        // Over a database that changed since (not wiped): the dump's state again.
        _ = try sql(url, "DELETE FROM users WHERE id = (SELECT max(id) FROM users); SELECT nextval('jobs_id_seq')")
        let again = try TestStack.run([stack.repo + "/scripts/restore", dump, "--yes"], environment: restoreEnvironment)
        try #require(again.status == 0, "\(again.output)")
        let third = try fingerprint(url)
        #expect(third.tables == before.tables && third.sequences == before.sequences)
    }

    @Test func retentionRemovesOnlyOldDumpsAndNeverTheNewOne() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let migrated = try TestStack.run(
            [stack.binary, "migrate", "--dir", stack.repo + "/migrations"],
            environment: ["TM_ENV_FILE": stack.envFile, "DATABASE_URL": url])
        try #require(migrated.status == 0, "\(migrated.output)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-backups-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let format = DateFormatter()
        format.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        format.timeZone = TimeZone(identifier: "UTC")
        func stamp(daysAgo: Double) -> String { "trademaster-\(format.string(from: Date().addingTimeInterval(-daysAgo * 86_400))).dump" }
        let old = stamp(daysAgo: 20)
        let recent = stamp(daysAgo: 2)
        let other = "notes.dump"
        let partial = ".trademaster-x.dump.partial"
        for file in [old, recent, other, partial] { try "x".write(toFile: folder + "/" + file, atomically: true, encoding: .utf8) }
        func backup(_ arguments: [String]) throws -> String {
            let result = try TestStack.run([stack.repo + "/scripts/backup", "--dir", folder] + arguments, environment: ["DATABASE_URL": url])
            try #require(result.status == 0, "\(result.output)")
            let line = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("backup ") }, "\(result.output)")
            return try #require(line.firstMatch(of: /\/(trademaster-\d{8}T\d{6}Z\.dump)\s/).map { String($0.1) })
        }
        func listing() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).subtracting([".lock"]) }
        let first = try backup([])
        #expect(listing() == [recent, other, first], "\(listing())")
        let second = try backup(["--keep", "1", "--keep-days", "0"])
        #expect(listing() == [other, second], "\(listing())")
        // --keep-days 0 --keep 0 removes nothing; a bad number is refused before any dump.
        let third = try backup(["--keep-days", "0"])
        #expect(listing() == [other, second, third])
        let bad = try TestStack.run([stack.repo + "/scripts/backup", "--dir", folder, "--keep", "-1"], environment: ["DATABASE_URL": url])
        #expect(bad.status == 2 && listing().count == 3, "\(bad.output)")
        // A database that cannot be reached: a clear error, no file left, the password never shown.
        let failed = try TestStack.run(
            [stack.repo + "/scripts/backup", "--dir", folder],
            environment: ["DATABASE_URL": "postgresql://trademaster:s3cret-pw@127.0.0.1:1/none"])
        #expect(failed.status != 0 && failed.output.contains("pg_dump") && !failed.output.contains("s3cret-pw"), "\(failed.output)")
        #expect(listing() == [other, second, third])
        for script in ["backup", "restore"] {
            let help = try TestStack.run([stack.repo + "/scripts/" + script, "--help"])
            #expect(help.status == 0 && help.output.contains("USAGE"), "\(help.output)")
        }
    }

    @Test func backupUnitsVerify() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-units-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let service = try String(contentsOfFile: stack.repo + "/systemd/trademaster-backup.service", encoding: .utf8)
        #expect(service.contains("Type=oneshot") && service.contains("Environment=TM_ENV_FILE=/etc/trademaster/env"))
        #expect(
            !service.split(separator: "\n").contains { $0.hasPrefix("EnvironmentFile") }, "the unit must not load the settings into its environment")
        #expect(service.contains("ReadWritePaths=-/var/backups/trademaster") && service.contains("ExecStart=/opt/trademaster/scripts/backup"))
        try service.replacingOccurrences(of: "/opt/trademaster/scripts/backup", with: stack.repo + "/scripts/backup")
            .write(toFile: folder + "/trademaster-backup.service", atomically: true, encoding: .utf8)
        let timer = try String(contentsOfFile: stack.repo + "/systemd/trademaster-backup.timer", encoding: .utf8)
        #expect(timer.contains("OnCalendar=daily") && timer.contains("Persistent=true") && timer.contains("RandomizedDelaySec=30m"))
        try timer.write(toFile: folder + "/trademaster-backup.timer", atomically: true, encoding: .utf8)
        let result = try TestStack.run(["systemd-analyze", "verify", folder + "/trademaster-backup.service", folder + "/trademaster-backup.timer"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
    }
}
