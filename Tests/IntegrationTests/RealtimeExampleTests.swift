import Foundation
import TestSupport
import Testing

/// The client example (docs/realtime, served by the development nginx at
/// /examples/realtime/) in headless Chromium: it signs in, gets a ticket and shows a job's
/// progress live.
@Suite(.serialized) struct RealtimeExampleTests {
    let rt: RealtimeFixtures
    var fx: AuthFixtures { rt.fx }
    init() throws { rt = try RealtimeFixtures() }

    @Test func theExamplePageShowsAJobsProgressLive() throws {
        let account = try fx.register()
        let job = try rt.enqueue("diag.sleep", payload: #"{"ms": 8000}"#, owner: account.id)
        let worker = try rt.worker()
        defer { worker.stop() }
        try rt.waitForJob(job, status: "running", headers: try fx.login(account).bearer)

        let page = fx.stack.baseURL + "/examples/realtime/#username=\(account.username)&password=\(account.password)&channel=job:\(job)"
        let png = rt.scratch + "/realtime.png"
        let shot = try TestStack.run([
            rt.python, fx.stack.repo + "/Tests/realtime/screenshot.py", page,
            "Number(document.body.dataset.events) >= 4", png, "--size", "1000x760",
            "--profile", rt.scratch + "/profile",
        ])
        #expect(shot.status == 0, "the page did not show four events: \(shot.output)")
        #expect(shot.output.contains("job:\(job)"), "the page names the job: \(shot.output)")
        #expect(shot.output.contains("running"), "\(shot.output)")
        #expect(shot.output.contains("live (EventSource)"), "\(shot.output)")
        #expect(shot.output.contains("job.progress"), "\(shot.output)")
        let (width, height, rows) = try PNGInspection.inspect(png)
        #expect(width == 1000 && height == 760)
        #expect(rows > 50, "a blank page has one distinct row, this one \(rows)")
        if let keep = ProcessInfo.processInfo.environment["TM_KEEP_REALTIME_JOB_PNG"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }
}
