import Foundation
import PostgresClient
import Realtime
import Support

/// What a handler gets for one attempt: the job, the database, and progress reporting.
/// Used by the one thread that runs the job.
public final class JobContext: @unchecked Sendable {
    /// The job, as claimed (its `attempts` counts this attempt).
    public let job: Job
    /// The database, for what the handler reads (effects go in ``JobCompletion/effects``).
    public let database: Database
    let control: JobControl
    private let queue: JobQueue
    private let worker: String
    private var lastWrite: ContinuousClock.Instant?
    private var lastEvent: ContinuousClock.Instant?
    private var lastFraction: Double?
    /// At most one progress write to PostgreSQL per job per this interval.
    static let writeInterval = Duration.seconds(1)
    /// At most one progress event per job per this interval.
    static let eventInterval = Duration.milliseconds(200)

    init(job: Job, control: JobControl, queue: JobQueue, worker: String) {
        self.job = job
        self.database = queue.database
        self.control = control
        self.queue = queue
        self.worker = worker
    }

    /// The handler's input.
    public var payload: JSONDocument { job.payload }

    /// Which attempt this is (1 for the first).
    public var attempt: Int { job.attempts }

    /// Where the handler's own events go (the queue's publisher).
    public var events: any EventPublisher { queue.events }

    /// The worker running it (its lease owner name).
    public var workerID: String { worker }

    /// Reports progress (0...1) and an optional short message, and stops the handler (throws
    /// ``JobInterruption``) when the job was cancelled, its lease lost, or the worker released
    /// it. Cheap to call often: events and PostgreSQL writes are throttled.
    public func reportProgress(_ fraction: Double, message: String? = nil) throws {
        try checkInterruption()
        let now = ContinuousClock.now
        let clamped = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        lastFraction = clamped
        if lastEvent.map({ now - $0 >= Self.eventInterval }) ?? true {
            lastEvent = now
            queue.events.publish(.jobProgress(id: job.id, owner: job.ownerID, progress: clamped, message: message))
        }
        if lastWrite.map({ now - $0 >= Self.writeInterval }) ?? true {
            lastWrite = now
            // Best effort: without PostgreSQL the lease decides what happens to the job.
            switch try? queue.recordProgress(id: job.id, worker: worker, progress: clamped, message: message) {
            case .cancelRequested?: control.raise(JobControl.cancelled)
            case .lost?: control.raise(JobControl.leaseLost)
            case .held?, nil: break
            }
        }
        try checkInterruption()
    }

    /// Reports `message` with the progress last reported (the job's stored progress before
    /// the first report), e.g. while the job waits for a service.
    public func reportProgressMessage(_ message: String) throws {
        try reportProgress(lastFraction ?? job.progress, message: message)
    }

    /// Marks the job succeeded with `result` inside `tx`, the transaction that writes the
    /// job's effects, for work whose effects own their transaction (a streamed upload);
    /// return ``JobCompletion/committed(_:)`` with the job once `tx` has committed. Throws
    /// ``JobInterruption/leaseLost`` when the lease is no longer ours: roll `tx` back.
    public func succeed(result: JSONDocument?, in tx: Transaction) throws -> Job {
        guard let done = try queue.succeed(id: job.id, worker: worker, result: result, in: tx) else {
            throw JobInterruption.leaseLost
        }
        return done
    }

    /// Throws ``JobInterruption`` when the handler should stop.
    public func checkInterruption() throws {
        if let reason = control.interruption { throw reason }
    }
}
