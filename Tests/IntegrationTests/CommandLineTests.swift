import Foundation
import Quant
import TestSupport
import Testing

/// `tm migrate`, startup validation and socket activation, as an operator runs them.
@Suite(.serialized) struct CommandLineTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func scratchDatabase() throws -> (name: String, url: String) { try stack.scratchDatabase(prefix: "tm_scratch") }

    func dropDatabase(_ name: String) { stack.dropDatabase(name) }

    func tm(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) { try stack.tm(arguments, environment) }

    @Test func migrateTwiceConcurrentlyAppliesEachMigrationOnce() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let environment = ["DATABASE_URL": url, "TM_MIGRATIONS_DIR": stack.repo + "/migrations"]
        let binary = stack.binary
        let env = ["TM_ENV_FILE": stack.envFile].merging(environment) { $1 }
        let outputs = [String](repeating: "", count: 2)
        let results = OutputBox(outputs)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = try? TestStack.run([binary, "migrate"], environment: env)
            results.set(index, result.map { "\($0.status)|\($0.output)" } ?? "spawn failed")
        }
        for output in results.values { #expect(output.hasPrefix("0|"), "\(output)") }
        let files = try FileManager.default.contentsOfDirectory(atPath: stack.repo + "/migrations").filter { $0.hasSuffix(".sql") }
        let counted = try TestStack.run(["psql", url, "-tAc", "SELECT count(*), count(DISTINCT version) FROM schema_migrations"])
        #expect(counted.output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(files.count)|\(files.count)")
        let again = try tm(["migrate"], environment)
        #expect(again.status == 0 && again.output.contains("database is up to date"), "\(again.output)")
        let status = try tm(["migrate", "--status"], environment)
        #expect(status.status == 0)
        #expect(status.output.contains("0001  audit_events") && status.output.contains("applied"), "\(status.output)")
        #expect(!status.output.contains("pending"))
    }

    @Test func editedOrMisnamedMigrationsAreRefused() throws {
        let (name, url) = try scratchDatabase()
        defer { dropDatabase(name) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-migrations-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "CREATE TABLE a (id int);".write(toFile: folder + "/0001_a.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE b (id int); INSERT INTO b VALUES (1);".write(toFile: folder + "/0002_b.sql", atomically: true, encoding: .utf8)
        let environment = ["DATABASE_URL": url]
        #expect(try tm(["migrate", "--dir", folder], environment).status == 0)
        try "CREATE TABLE a (id bigint);".write(toFile: folder + "/0001_a.sql", atomically: true, encoding: .utf8)
        let edited = try tm(["migrate", "--dir", folder], environment)
        #expect(edited.status != 0 && edited.output.contains("was edited after it was applied"), "\(edited.output)")
        try "CREATE TABLE a (id int);".write(toFile: folder + "/0001_a.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE c (id int); SELECT no_such_function();".write(toFile: folder + "/0003_c.sql", atomically: true, encoding: .utf8)
        let failing = try tm(["migrate", "--dir", folder], environment)
        #expect(failing.status != 0)
        // The failed migration left nothing behind: its transaction rolled back.
        let table = try TestStack.run(["psql", url, "-tAc", "SELECT to_regclass('c') IS NULL"])
        #expect(table.output.trimmingCharacters(in: .whitespacesAndNewlines) == "t")
        try "x".write(toFile: folder + "/notnumbered.sql", atomically: true, encoding: .utf8)
        let misnamed = try tm(["migrate", "--dir", folder], environment)
        #expect(misnamed.status != 0 && misnamed.output.contains("NNNN_name.sql"), "\(misnamed.output)")
    }

    @Test func unreachableDatabaseIsAClearError() throws {
        let result = try tm(["migrate"], ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"])
        #expect(result.status == 1)
        #expect(result.output.contains("database unavailable"), "\(result.output)")
    }

    @Test func invalidSettingsStopStartupNamingTheVariable() throws {
        let cases: [([String: String], String)] = [
            (["SECRET_KEY": "short", "DEBUG": "false"], "SECRET_KEY"),
            (["SECRET_KEY": "", "DEBUG": "false"], "SECRET_KEY"),
            (["TM_WORKERS": "zero"], "TM_WORKERS"),
            (["REDIS_URL": "localhost:6379"], "REDIS_URL"),
            (["DEBUG": "perhaps"], "DEBUG"),
        ]
        for (environment, variable) in cases {
            let result = try TestStack.run(
                [stack.binary, "serve", "--listen", "/tmp/tm-never-\(UUID().uuidString.prefix(6)).sock"],
                environment: ["TM_ENV_FILE": "/dev/null"].merging(environment) { $1 }
                    .merging(environment["SECRET_KEY"] == nil ? ["SECRET_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"] : [:]) { a, _ in a })
            #expect(result.status == 2, "\(environment): \(result.output)")
            #expect(result.output.contains("invalid setting \(variable)"), "\(result.output)")
        }
    }

    @Test func everyCommandHasHelp() throws {
        for command in [["--help"], ["serve", "--help"], ["migrate", "--help"], ["backtest", "--help"], ["metrics", "--help"]] {
            let result = try TestStack.run([stack.binary] + command)
            #expect(result.status == 0, "\(command)")
            #expect(result.output.contains("USAGE"), "\(command): \(result.output)")
        }
    }

    @Test func backtestAndMetricsCommands() throws {
        let fixtures = stack.repo + "/Tests/QuantTests/Fixtures"
        let backtest = try TestStack.run([
            stack.binary, "backtest", "--csv", fixtures + "/daily.csv", "--strategy", "sma_crossover",
            "--param", "fast=10", "--param", "slow=30", "--commission", "0.001", "--json",
        ])
        #expect(backtest.status == 0, "\(backtest.output.prefix(500))")
        let result = try JSONSerialization.jsonObject(with: Data(backtest.output.utf8)) as? [String: Any]
        #expect(result?["trades"] is [Any], "\(backtest.output.prefix(300))")
        // The same run as the backtesting.py fixture: the same closed trades (bars and shares).
        let reference =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/backtest_daily_sma.json"))) as? [String: Any]
        let expected = try #require(reference?["trades"] as? [[String: Any]])
        let closed = try #require(result?["trades"] as? [[String: Any]]).filter { ($0["open"] as? Bool) != true }
        #expect(closed.map { $0["entry_bar"] as? Int } == expected.map { $0["entry_bar"] as? Int })
        #expect(closed.map { $0["exit_bar"] as? Int } == expected.map { $0["exit_bar"] as? Int })
        #expect(closed.map { $0["shares"] as? Int } == expected.map { $0["size"] as? Int })
        let summary = try TestStack.run([stack.binary, "backtest", "--csv", fixtures + "/daily.csv", "--strategy", "sma_crossover"])
        #expect(summary.status == 0 && !summary.output.isEmpty)

        let metrics = try TestStack.run([
            stack.binary, "metrics", "--csv", fixtures + "/daily.csv", "--benchmark", fixtures + "/benchmark.csv", "--json",
        ])
        #expect(metrics.status == 0, "\(metrics.output.prefix(500))")
        #expect((try? JSONSerialization.jsonObject(with: Data(metrics.output.utf8))) is [String: Any])

        // Bad parameters and bad files: a clear message and a non-zero exit, never a crash.
        let badParameter = try TestStack.run([
            stack.binary, "backtest", "--csv", fixtures + "/daily.csv", "--strategy", "sma_crossover",
            "--param", "fast=1",
        ])
        #expect(badParameter.status != 0 && badParameter.status < 128 && badParameter.output.contains("fast"), "\(badParameter.output)")
        let unknown = try TestStack.run([stack.binary, "backtest", "--csv", fixtures + "/daily.csv", "--strategy", "astrology"])
        #expect(unknown.status != 0 && unknown.status < 128 && unknown.output.contains("astrology"), "\(unknown.output)")
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("tm-bad-\(UUID().uuidString.prefix(6)).csv").path
        try "date,open,high,low,close\n2024-01-01,1,2,0.5,1.5\n2024-01-02,1,x,0.5,1.5\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let badFile = try TestStack.run([stack.binary, "metrics", "--csv", garbage])
        #expect(badFile.status != 0 && badFile.status < 128 && badFile.output.contains("3"), "\(badFile.output)")
        let missing = try TestStack.run([stack.binary, "metrics", "--csv", "/nonexistent.csv"])
        #expect(missing.status != 0 && missing.status < 128, "\(missing.output)")
    }

    /// A file of a megabyte or more is read whole and parsed on two threads; a pipe is streamed.
    /// Both give the same backtest, bit for bit, and the same errors for bad rows on either side
    /// of the middle.
    @Test func aLargeFileReadsAsItsStreamDoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tm-large-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rng = SplitMix64(seed: 22)
        var price = 100.0
        var rows = ["date,open,high,low,close,volume"]
        for minute in 0..<40_000 {
            let open = price
            price *= 1 + (Double(rng.next() % 2_001) - 1_000) / 200_000
            let high = max(open, price) + 0.01
            let low = min(open, price) - 0.01
            let time = 1_700_000_000 + 60 * minute
            rows.append(String(format: "%d,%.4f,%.4f,%.4f,%.4f,%d", time, open, high, low, price, 100 + Int(rng.next() % 900)))
        }
        let good = directory + "/good.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: good)[.size] as? Int ?? 0 > 1 << 20)
        rows[10_000] = rows[10_000].replacingOccurrences(of: ",", with: ",x", options: [], range: rows[10_000].range(of: ","))
        rows[30_000] = rows[29_990]
        let bad = directory + "/bad.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let command = "\(stack.binary) backtest --strategy sma_crossover --param fast=10 --param slow=30 --json --csv"
        for file in [good, bad] {
            let whole = try TestStack.run(["/bin/sh", "-c", "\(command) \(file)"])
            let streamed = try TestStack.run(["/bin/sh", "-c", "\(command) /dev/stdin < \(file)"])
            #expect(
                whole.status == streamed.status && whole.output == streamed.output,
                "\(file): \(whole.output.prefix(300)) vs \(streamed.output.prefix(300))")
            if file == good {
                #expect(whole.status == 0 && whole.output.contains("\"trades\""), "\(whole.output.prefix(300))")
            } else {
                #expect(
                    whole.status == 1 && whole.output.contains("line 10001") && whole.output.contains("line 30001"), "\(whole.output.prefix(500))")
            }
        }
    }

    @Test func servesOnATCPAddress() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, tcp: true)
        defer { pool.stop() }
        #expect(try pool.client().send("GET", "/health").status == 200)
        #expect(pool.logText.contains("\"listen\":\"127.0.0.1:"))
    }

    @Test func servesOnASocketPassedBySystemd() throws {
        let pool = try PrivatePool(stack: stack, workers: 1, threads: 2, systemdSocket: true)
        defer { pool.stop() }
        #expect(try pool.client().send("GET", "/health").status == 200)
        #expect(pool.logText.contains("systemd fd 3"))
    }
}

/// Results written from several threads.
final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String]
    init(_ initial: [String]) { storage = initial }
    func set(_ index: Int, _ value: String) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }
    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
