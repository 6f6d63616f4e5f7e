import Foundation
import TestSupport
import Testing

/// `tm worker --help` and `tm jobs`, as an operator runs them (no worker: jobs stay queued).
@Suite(.serialized) struct JobsCommandTests {
    let stack: TestStack
    init() throws { stack = try TestStack.current() }

    func tm(_ arguments: String...) throws -> (status: Int32, output: String) {
        try TestStack.run([stack.binary] + arguments, environment: ["TM_ENV_FILE": stack.envFile])
    }

    @Test func helpNamesTheSettings() throws {
        let worker = try tm("worker", "--help")
        #expect(worker.status == 0)
        for name in ["--concurrency", "TM_WORKER_CONCURRENCY", "TM_JOB_LEASE_SECONDS", "TM_JOB_RETENTION_DAYS", "SIGTERM"] {
            #expect(worker.output.contains(name), "tm worker --help lacks \(name)")
        }
        let jobs = try tm("jobs", "--help")
        #expect(jobs.status == 0 && ["list", "show", "enqueue", "cancel"].allSatisfy { jobs.output.contains($0) })
        #expect(try tm("jobs", "list", "--status", "done").status != 0)
        #expect(try tm("jobs", "enqueue", "diag.noop", "--payload", "[1]").status != 0)
    }

    @Test func enqueueListShowAndCancel() throws {
        let kind = "test.cli-\(UInt32.random(in: 0...UInt32.max))"
        let enqueued = try tm("jobs", "enqueue", kind, "--payload", #"{"n": 7}"#, "--count", "2", "--priority", "32000")
        try #require(enqueued.status == 0, "\(enqueued.output)")
        let ids = enqueued.output.split(separator: "\n").compactMap { Int($0) }
        try #require(ids.count == 2)
        let list = try tm("jobs", "list", "--kind", kind)
        #expect(list.status == 0 && list.output.contains("2 of 2") && list.output.contains("queued"), "\(list.output)")
        let show = try tm("jobs", "show", String(ids[0]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.output.utf8)) as? [String: Any], "\(show.output)")
        #expect(json["kind"] as? String == kind && (json["payload"] as? [String: Any])?["n"] as? Int == 7)
        #expect(json["status"] as? String == "queued" && json["max_attempts"] as? Int == 3)
        for id in ids { #expect(try tm("jobs", "cancel", String(id)).output.contains("cancelled")) }
        let again = try tm("jobs", "cancel", String(ids[0]))
        #expect(again.status == 1 && again.output.contains("already cancelled"))
        #expect(try tm("jobs", "show", "999999999").status == 1)
    }
}
