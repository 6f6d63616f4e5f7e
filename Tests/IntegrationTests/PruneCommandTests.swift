import Foundation
import TestSupport
import Testing

/// `tm prune` on a scratch database: rows past their retention go, fresh ones stay, a dry
/// run only counts, and small batches delete the same as one.
@Suite(.serialized) struct PruneCommandTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func psql(_ url: String, _ sql: String) throws -> String {
        let result = try TestStack.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        #expect(result.status == 0, "\(sql): \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func prune(_ arguments: [String], url: String, environment: [String: String] = [:]) throws -> [String: Any] {
        let result = try TestStack.run(
            [stack.binary, "prune"] + arguments,
            environment: ["TM_ENV_FILE": stack.envFile, "DATABASE_URL": url].merging(environment) { $1 })
        #expect(result.status == 0, "\(result.output)")
        // The last line is the JSON summary (warnings, if any, come before it on stderr).
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": result.output]
    }

    /// `old` rows past retention and `fresh` ones inside it, of each kind.
    func populate(_ url: String, old: Int, fresh: Int) throws {
        _ = try psql(
            url,
            """
            INSERT INTO users (id, username, email, password_hash) VALUES (1, 'prune_user', 'prune@example.com', 'x');
            INSERT INTO idempotency_keys (owner_id, route, key, request_hash, status, body, created_at)
                SELECT 1, 'r', 'old' || g, 'h', 200, '', now() - interval '25 hours' FROM generate_series(1, \(old)) g;
            INSERT INTO idempotency_keys (owner_id, route, key, request_hash, status, body, created_at)
                SELECT 1, 'r', 'fresh' || g, 'h', 200, '', now() - interval '23 hours' FROM generate_series(1, \(fresh)) g;
            INSERT INTO jobs (kind, owner_id, status, created_at, finished_at)
                SELECT 'diag.noop', 1, 'succeeded', now() - interval '40 days', now() - interval '31 days' FROM generate_series(1, \(old)) g;
            INSERT INTO jobs (kind, owner_id, status, created_at, finished_at)
                SELECT 'diag.noop', 1, 'failed', now() - interval '40 days', now() - interval '29 days' FROM generate_series(1, \(fresh)) g;
            -- Queued long ago but never finished: never pruned.
            INSERT INTO jobs (kind, owner_id, created_at) VALUES ('diag.noop', 1, now() - interval '400 days');
            INSERT INTO audit_events (event, user_id, occurred_at)
                SELECT 'login', 1, now() - interval '366 days' FROM generate_series(1, \(old)) g;
            INSERT INTO audit_events (event, user_id, occurred_at)
                SELECT 'login', 1, now() - interval '364 days' FROM generate_series(1, \(fresh)) g;
            """)
    }

    func remaining(_ url: String) throws -> String {
        try psql(
            url, "SELECT (SELECT count(*) FROM idempotency_keys) || ',' || (SELECT count(*) FROM jobs) || ',' || (SELECT count(*) FROM audit_events)")
    }

    @Test func deletesWhatIsPastRetentionKeepsTheRestAndADryRunDeletesNothing() throws {
        let name = "tm_prune_\(UInt32.random(in: 0...UInt32.max))"
        _ = try psql(stack.databaseURL, "CREATE DATABASE \(name)")
        defer { _ = try? TestStack.run(["psql", stack.databaseURL, "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"]) }
        let url = String(stack.databaseURL[..<stack.databaseURL.lastIndex(of: "/")!]) + "/" + name
        let migrated = try TestStack.run(
            [stack.binary, "migrate", "--dir", stack.repo + "/migrations"],
            environment: ["TM_ENV_FILE": stack.envFile, "DATABASE_URL": url])
        #expect(migrated.status == 0, "\(migrated.output)")
        try populate(url, old: 5, fresh: 3)
        #expect(try remaining(url) == "8,9,8")

        let dry = try prune(["--dry-run"], url: url)
        #expect(dry["dry_run"] as? Bool == true, "\(dry)")
        #expect(dry["idempotency_keys"] as? Int == 5 && dry["jobs"] as? Int == 5 && dry["audit_events"] as? Int == 5, "\(dry)")
        #expect(try remaining(url) == "8,9,8", "a dry run deleted rows")

        // Batches of 2: three statements per table, the same result as one.
        let done = try prune(["--batch-size", "2"], url: url)
        #expect(done["dry_run"] as? Bool == false, "\(done)")
        #expect(done["idempotency_keys"] as? Int == 5 && done["jobs"] as? Int == 5 && done["audit_events"] as? Int == 5, "\(done)")
        #expect(try remaining(url) == "3,4,3")
        #expect(try psql(url, "SELECT count(*) FROM idempotency_keys WHERE key LIKE 'old%'") == "0")
        #expect(try psql(url, "SELECT count(*) FROM jobs WHERE finished_at < now() - interval '30 days'") == "0")
        #expect(try psql(url, "SELECT count(*) FROM jobs WHERE status = 'queued'") == "1")

        // Nothing left past retention: a second run deletes nothing.
        let again = try prune([], url: url)
        #expect(again["idempotency_keys"] as? Int == 0 && again["jobs"] as? Int == 0 && again["audit_events"] as? Int == 0, "\(again)")

        // Shorter retentions from the settings.
        let shorter = try prune([], url: url, environment: ["TM_JOB_RETENTION_DAYS": "7", "TM_AUDIT_RETENTION_DAYS": "30"])
        #expect(shorter["jobs"] as? Int == 3 && shorter["audit_events"] as? Int == 3, "\(shorter)")
        #expect(shorter["job_retention_days"] as? Int == 7 && shorter["audit_retention_days"] as? Int == 30, "\(shorter)")
        #expect(try remaining(url) == "3,1,0")
    }

    @Test func helpAndBadArguments() throws {
        let help = try TestStack.run([stack.binary, "prune", "--help"])
        #expect(help.status == 0 && help.output.contains("USAGE") && help.output.contains("--dry-run"), "\(help.output)")
        let bad = try TestStack.run([stack.binary, "prune", "--batch-size", "0"], environment: ["TM_ENV_FILE": stack.envFile])
        #expect(bad.status != 0 && bad.output.contains("--batch-size"), "\(bad.output)")
        let setting = try TestStack.run(
            [stack.binary, "prune", "--dry-run"],
            environment: ["TM_ENV_FILE": stack.envFile, "TM_AUDIT_RETENTION_DAYS": "0"])
        #expect(setting.status == 2 && setting.output.contains("invalid setting TM_AUDIT_RETENTION_DAYS"), "\(setting.output)")
    }
}
