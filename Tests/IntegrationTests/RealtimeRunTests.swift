import Foundation
import TestSupport
import Testing

/// A paper run's events (branch `strat`'s run job) through nginx to a real WebSocket and a
/// real EventSource client, and the example page following a paper run in Chromium.
@Suite(.serialized) struct RealtimeRunTests {
    let rt: RealtimeFixtures
    let sx: StrategyFixtures
    init() throws {
        rt = try RealtimeFixtures()
        sx = try StrategyFixtures()
    }

    /// A queued paper run of a new account over the 500-bar fixture, at `pace` bars a second.
    func paperRun(pace: Double) throws -> (account: AuthFixtures.Account, auth: [String: String], strategy: Int, run: Int) {
        let (account, auth) = try sx.account()
        let dataset = try sx.uploadDaily(auth)
        let strategy = try #require(try sx.createStrategy(auth)["id"] as? Int)
        let paper = try sx.client.send(
            "POST", "/api/v1/strategies/\(strategy)/execute", headers: auth,
            json: ["dataset_id": dataset, "symbol": "AAA", "mode": "paper", "bars_per_second": pace])
        try #require(paper.status == 202, "\(paper.text)")
        return (account, auth, strategy, try #require(paper.json["id"] as? Int))
    }

    @Test func aPaperRunsEventsArriveInOrderOverWebSocketAndEventSource() throws {
        let (_, auth, _, run) = try paperRun(pace: 250)
        let ws = try rt.subscribe(
            "ws", urlFile: try rt.urlFile(try rt.ticketPath(auth, "run:\(run)")), ["--until", "run.status:succeeded", "--timeout", "60"])
        let sse = try rt.subscribe(
            "sse", urlFile: try rt.urlFile(try rt.ticketPath(auth, "run:\(run)")), ["--until", "run.status:succeeded", "--timeout", "60"])
        try ws.waitConnected()
        try sse.waitConnected()
        let worker = try rt.worker()
        defer { worker.stop() }
        #expect(ws.finish(seconds: 70) == 0 && sse.finish(seconds: 70) == 0)
        for (label, events) in [("WebSocket", ws.events), ("EventSource", sse.events)] {
            let seqs = events.seqs
            #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(label): seq has gaps or is out of order: \(seqs)")
            #expect(events.allSatisfy { $0["channel"] as? String == "run:\(run)" }, "\(label)")
            let types = Set(events.types)
            #expect(types.isSuperset(of: ["run.status", "run.progress", "run.equity", "run.trade"]), "\(label): \(types)")
            #expect((events.first?["data"] as? [String: Any])?["status"] as? String == "running", "\(label)")
            #expect((events.last?["data"] as? [String: Any])?["status"] as? String == "succeeded", "\(label)")
            let bars = events.filter { $0["type"] as? String == "run.equity" }.compactMap { ($0["data"] as? [String: Any])?["bar"] as? Int }
            #expect(bars == bars.sorted() && bars.last == 499, "\(label): equity bars \(bars)")
        }
        #expect(ws.events.seqs == sse.events.seqs)
        // One entry pushed per trade the run stored (the last may still be open at the end).
        let trades = try sx.client.send("GET", "/api/v1/runs/\(run)/trades?limit=100", headers: auth)
        let entries = ws.events.filter { $0["type"] as? String == "run.trade" && ($0["data"] as? [String: Any])?["event"] as? String == "entry" }
        #expect(trades.status == 200)
        #expect(entries.count == trades.json["total"] as? Int, "\(entries.count) entries pushed, \(trades.json["total"] ?? "?") trades stored")
    }

    @Test func theExamplePageShowsAPaperRunLive() throws {
        let (account, auth, strategy, run) = try paperRun(pace: 40)
        let worker = try rt.worker()
        defer { worker.stop() }
        try sx.poll(run: run, auth) { $0["status"] as? String == "running" }
        let page = rt.fx.stack.baseURL + "/examples/realtime/#username=\(account.username)&password=\(account.password)&channel=run:\(run)"
        let png = rt.scratch + "/run.png"
        let shot = try TestStack.run([
            rt.python, rt.fx.stack.repo + "/Tests/realtime/screenshot.py", page,
            "Number(document.body.dataset.equity) >= 80", png, "--size", "1000x760",
            "--profile", rt.scratch + "/profile",
        ])
        #expect(shot.status == 0, "the page did not draw 80 equity points: \(shot.output)")
        #expect(shot.output.contains("run:\(run)"), "the page names the run: \(shot.output)")
        #expect(shot.output.contains("running") && shot.output.contains("live (EventSource)"), "\(shot.output)")
        #expect(shot.output.contains("run.equity") && shot.output.contains("equity "), "\(shot.output)")
        let (width, height, rows) = try PNGInspection.inspect(png)
        #expect(width == 1000 && height == 760)
        #expect(rows > 50, "a blank page has one distinct row, this one \(rows)")
        if let keep = ProcessInfo.processInfo.environment["TM_KEEP_REALTIME_PNG"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
        _ = try sx.client.send("POST", "/api/v1/strategies/\(strategy)/stop", headers: auth)
        try sx.poll(run: run, auth) { $0["status"] as? String == "cancelled" }
    }
}
