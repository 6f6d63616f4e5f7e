import Foundation
import TestSupport
import Testing

@testable import JobRuntime
@testable import Models
@testable import Realtime

/// Collects published events, for the tests.
final class RecordingPublisher: EventPublisher, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Event] = []
    var events: [Event] { lock.withLock { stored } }
    func publish(_ event: Event) { lock.withLock { stored.append(event) } }
}

/// Progress reports: throttled to PostgreSQL and to the publisher, and the point where a
/// cancel request or a lost lease stops the handler.
@Suite(.serialized) struct JobContextTests {
    let fx: JobFixtures
    init() throws { fx = try JobFixtures() }

    @Test func progressIsThrottledAndCarriesCancellation() throws {
        let publisher = RecordingPublisher()
        let queue = JobQueue(database: fx.database, events: publisher)
        let id = try #require(try fx.enqueue("test.unregistered", priority: -32000).first)
        let job = try #require(try queue.claim(worker: "test-p", limit: 1, lease: 30).first)
        #expect(job.id == id)
        let control = JobControl(id: id)
        let context = JobContext(job: job, control: control, queue: queue, worker: "test-p")
        for step in 1...50 { try context.reportProgress(Double(step) / 100, message: "step \(step)") }
        let stored = try #require(try fx.jobs([id])[id])
        #expect(stored.progress == 0.01 && stored.message == "step 1", "one write per second, the first one now")
        #expect(publisher.events.filter { $0.type == "job.progress" }.count == 1)
        #expect(publisher.events.first?.channels == ["job:\(id)"])

        _ = try queue.cancel(id: id, owner: nil)
        control.raise(JobControl.cancelled)  // what the listener does on the NOTIFY
        #expect(throws: JobInterruption.cancelled) { try context.reportProgress(0.6) }
        control.raise(JobControl.leaseLost)
        #expect(throws: JobInterruption.leaseLost) { try context.checkInterruption() }
        #expect(try queue.markCancelled(id: id, worker: "test-p")?.status == .cancelled)
    }
}
