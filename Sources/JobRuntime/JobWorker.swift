import Foundation
import Logging
import Metrics
import PostgresClient
import Synchronization

/// The runtime of `tm worker`: `concurrency` job threads that claim and run jobs, a listener
/// thread (`LISTEN` on a dedicated connection, so an enqueue wakes an idle thread at once;
/// polling is only the fallback), and a heartbeat thread that renews leases, notices cancel
/// requests and lost leases, rescues other workers' expired jobs and prunes old ones.
/// Every thread reconnects to PostgreSQL by itself after a restart.
public final class JobWorker: Sendable {
    let queue: JobQueue
    let registry: JobRegistry
    let configuration: JobWorkerConfiguration
    let logger: Logger
    let wakeup = Wakeup()
    let controls = Mutex<[Int64: JobControl]>([:])
    /// Set by ``stop()``: job threads take no new job.
    let stopping = Atomic<Bool>(false)
    /// Set once the jobs are drained or released: the listener and heartbeat end.
    let servicesStopping = Atomic<Bool>(false)
    let jobThreads = DispatchGroup()
    /// This host's crash records, when kept.
    var crashRecords: CrashRecords? { configuration.crashDirectory.map(CrashRecords.init(directory:)) }
    let serviceThreads = DispatchGroup()
    /// Where claims, outcomes and durations are counted (`tm worker`'s metrics listener).
    let metrics: MetricsRegion?

    /// A worker over `queue` running the kinds of `registry`; with `metrics`, every claim,
    /// outcome and attempt duration is counted there by kind.
    public init(queue: JobQueue, registry: JobRegistry, configuration: JobWorkerConfiguration, logger: Logger, metrics: MetricsRegion? = nil) {
        self.queue = queue
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        metrics?.set(MetricCatalog.workerThreads, Int64(max(1, configuration.concurrency)))
        metrics?.set(MetricCatalog.workerBusy, 0)
    }

    /// Counts one job of `kind` in `family` (only registered kinds are labels, so a job
    /// table full of made-up kinds cannot grow the series without bound).
    func count(_ family: String, kind: String) {
        guard let metrics else { return }
        metrics.add(MetricCatalog.series(family, [("kind", registry.handler(for: kind) == nil ? "unknown" : kind)]))
    }

    /// Starts the threads and returns.
    public func start() {
        if let crashRecords, !crashRecords.install(workerID: configuration.workerID) {
            logger.warning(
                "crash records are off: the directory is not writable; a crashed worker's jobs are all charged by lease expiry",
                metadata: ["directory": "\(crashRecords.directory)"])
        }
        logger.info(
            "worker started",
            metadata: [
                "worker": "\(configuration.workerID)", "concurrency": "\(configuration.concurrency)",
                "lease_s": "\(configuration.leaseSeconds)", "poll_s": "\(configuration.pollSeconds)",
                "kinds": "\(registry.kinds.joined(separator: ","))",
            ])
        spawn(group: serviceThreads, name: "listener") { self.listen() }
        spawn(group: serviceThreads, name: "heartbeat") { self.maintain() }
        for index in 0..<max(1, configuration.concurrency) {
            spawn(group: jobThreads, name: "job-\(index)") { self.runJobs() }
        }
    }

    /// Graceful stop: claims nothing more, lets running jobs finish within the shutdown
    /// timeout, then puts the rest back in the queue. Returns the released jobs.
    @discardableResult
    public func stop() -> [Job] {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeup.signal()
        let running = controls.withLock { $0.count }
        logger.info("worker stopping", metadata: ["running": "\(running)", "timeout_s": "\(configuration.shutdownSeconds)"])
        var released: [Job] = []
        if jobThreads.wait(timeout: .now() + configuration.shutdownSeconds) == .timedOut {
            let remaining = controls.withLock { Array($0.values) }
            for control in remaining { control.raise(JobControl.shutdown) }
            do {
                released = try queue.release(ids: remaining.map(\.id), worker: configuration.workerID)
                for job in released { queue.events.publish(.jobStatus(job)) }
            } catch {
                logger.warning("cannot release jobs; their leases will expire", metadata: ["error": "\(error)"])
            }
            logger.info("released jobs to the queue", metadata: ["ids": "\(released.map(\.id))"])
            _ = jobThreads.wait(timeout: .now() + 1)
        }
        servicesStopping.store(true, ordering: .sequentiallyConsistent)
        _ = serviceThreads.wait(timeout: .now() + 2)
        logger.info("worker stopped", metadata: ["worker": "\(configuration.workerID)"])
        return released
    }

    private func spawn(group: DispatchGroup, name: String, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    // MARK: Job threads

    private func runJobs() {
        var failures = 0
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let seen = wakeup.current
            let job: Job?
            do {
                job = try queue.claim(worker: configuration.workerID, limit: 1, lease: configuration.leaseSeconds).first
                failures = 0
            } catch {
                if failures == 0 { logger.warning("cannot claim jobs", metadata: ["error": "\(error)"]) }
                failures += 1
                wakeup.wait(after: seen, timeout: min(0.1 * Double(1 << min(failures, 5)), 2))
                continue
            }
            if let job {
                run(job)
            } else {
                wakeup.wait(after: seen, timeout: configuration.pollSeconds * Double.random(in: 0.9...1.1))
            }
        }
    }

    /// Runs one claimed job to the end of its attempt.
    func run(_ job: Job) {
        let control = JobControl(id: job.id)
        controls.withLock { $0[job.id] = control }
        // From here the thread runs code driven by the job's data: a fatal signal names this job.
        CrashRecords.enter(job: job.id)
        defer {
            CrashRecords.enter(job: nil)
            _ = controls.withLock { $0.removeValue(forKey: job.id) }
        }
        let worker = configuration.workerID
        count(MetricCatalog.workerClaimed, kind: job.kind)
        let started = MonotonicClock.seconds()
        metrics?.adjust(MetricCatalog.workerBusy, by: 1)
        defer {
            metrics?.adjust(MetricCatalog.workerBusy, by: -1)
            let kind = registry.handler(for: job.kind) == nil ? "unknown" : job.kind
            metrics?.observe(MetricCatalog.series(MetricCatalog.workerDuration, [("kind", kind)]), seconds: MonotonicClock.seconds() - started)
        }
        var log = logger
        log[metadataKey: "job_id"] = "\(job.id)"
        log[metadataKey: "kind"] = "\(job.kind)"
        queue.events.publish(.jobStatus(job))
        guard let handler = registry.handler(for: job.kind) else {
            log.error("unknown job kind")
            finishFailed(job, error: "unknown job kind \(job.kind)", retryable: false, log: log)
            return
        }
        do {
            let completion = try handler.run(JobContext(job: job, control: control, queue: queue, worker: worker))
            let done: Job?
            if let committed = completion.committed {
                done = committed
            } else if let effects = completion.effects {
                done = try queue.database.transaction { tx -> Job? in
                    guard let done = try queue.succeed(id: job.id, worker: worker, result: completion.result, in: tx) else {
                        return nil
                    }
                    try effects(tx)
                    return done
                }
            } else {
                // Nothing to commit with it: one statement is its own transaction (2 round trips fewer).
                done = try queue.succeed(id: job.id, worker: worker, result: completion.result)
            }
            if let done {
                completion.afterCommit?()
                count(MetricCatalog.workerSucceeded, kind: job.kind)
                queue.events.publish(.jobStatus(done))
                log.debug("job succeeded", metadata: ["attempt": "\(job.attempts)"])
            } else {
                log.warning("lease lost before completion; the job's effects were rolled back")
            }
        } catch let interruption as JobInterruption {
            switch interruption {
            case .cancelled:
                if let cancelled = try? queue.markCancelled(id: job.id, worker: worker) {
                    count(MetricCatalog.workerCancelled, kind: job.kind)
                    queue.events.publish(.jobStatus(cancelled))
                    log.info("job cancelled")
                }
            case .leaseLost:
                log.warning("lease lost; the job was stopped here")
            case .shutdown:
                log.info("job released by the shutdown")
            }
        } catch let failure as JobFailure {
            finishFailed(job, error: failure.message, retryable: failure.retryable, log: log)
        } catch let error as DatabaseError {
            if case .unavailable = error {
                // The attempt's outcome cannot be written; the lease expires and it is rescued.
                log.warning("database unavailable during the job; the lease will expire", metadata: ["error": "\(error)"])
                return
            }
            log.error("job failed", metadata: ["error": "\(error)"])
            finishFailed(job, error: "internal error (database)", retryable: true, log: log)
        } catch {
            log.error("job failed", metadata: ["error": "\(error)"])
            finishFailed(job, error: "internal error (\(type(of: error)))", retryable: true, log: log)
        }
    }

    private func finishFailed(_ job: Job, error: String, retryable: Bool, log: Logger) {
        let delay = configuration.retryDelay(afterAttempt: job.attempts)
        do {
            if let failed = try queue.fail(
                id: job.id, worker: configuration.workerID, error: error,
                retryable: retryable, retryDelay: delay)
            {
                count(failed.status == .queued ? MetricCatalog.workerRetried : MetricCatalog.workerFailed, kind: job.kind)
                queue.events.publish(.jobStatus(failed))
                log.info(
                    "attempt failed",
                    metadata: [
                        "attempt": "\(job.attempts)", "status": "\(failed.status.rawValue)",
                        "retry_in_s": "\(failed.status == .queued ? delay : 0)",
                    ])
            }
        } catch {
            log.warning("cannot record the failure; the lease will expire", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Listener

    private func listen() {
        var failures = 0
        while !servicesStopping.load(ordering: .sequentiallyConsistent) {
            do {
                let connection = try PostgresConnection(url: queue.database.url)
                try connection.execute("LISTEN tm_jobs")
                try connection.execute("LISTEN tm_job_cancel")
                logger.info("listening", metadata: ["worker": "\(configuration.workerID)"])
                failures = 0
                // Whatever was enqueued while we were not listening.
                wakeup.signal()
                var lastPing = ContinuousClock.now
                while !servicesStopping.load(ordering: .sequentiallyConsistent) {
                    // A silent network failure never makes the socket readable: a query would notice.
                    if ContinuousClock.now - lastPing >= .seconds(30) {
                        lastPing = ContinuousClock.now
                        try connection.execute("SELECT 1")
                    }
                    for note in try connection.waitForNotifications(timeout: 0.25) {
                        if note.channel == JobQueue.cancelChannel {
                            if let id = Int64(note.payload), let control = controls.withLock({ $0[id] }) {
                                control.raise(JobControl.cancelled)
                            }
                        } else {
                            wakeup.signal()
                        }
                    }
                }
            } catch {
                if failures == 0 { logger.warning("listener lost PostgreSQL; reconnecting", metadata: ["error": "\(error)"]) }
                failures += 1
                pause(min(0.1 * Double(1 << min(failures, 4)), 1))
            }
        }
    }

    // MARK: Heartbeat, rescue, prune

    private func maintain() {
        let tick = max(0.05, min(configuration.leaseSeconds / 3, 5))
        let rescueEvery = max(0.1, min(configuration.leaseSeconds / 2, 5))
        var lastRescue = ContinuousClock.now - .seconds(3600)
        var lastPrune: ContinuousClock.Instant?
        var failing = false
        while !servicesStopping.load(ordering: .sequentiallyConsistent) {
            do {
                let running = controls.withLock { Array($0.values) }
                if !running.isEmpty {
                    let beat = try queue.heartbeat(
                        ids: running.map(\.id), worker: configuration.workerID,
                        lease: configuration.leaseSeconds)
                    for control in running {
                        if !beat.held.contains(control.id) {
                            control.raise(JobControl.leaseLost)
                        } else if beat.cancelRequested.contains(control.id) {
                            control.raise(JobControl.cancelled)
                        }
                    }
                }
                if ContinuousClock.now - lastRescue >= .seconds(rescueEvery) {
                    lastRescue = ContinuousClock.now
                    // Before lease expiry can charge every job of a crashed worker.
                    try recoverCrashes()
                    let rescued = try queue.rescueExpired()
                    for job in rescued { queue.events.publish(.jobStatus(job)) }
                    if !rescued.isEmpty {
                        logger.warning("rescued jobs with expired leases", metadata: ["ids": "\(rescued.map(\.id))"])
                    }
                }
                if lastPrune.map({ ContinuousClock.now - $0 >= .seconds(3600) }) ?? true {
                    lastPrune = ContinuousClock.now
                    let pruned = try queue.prune(olderThanDays: configuration.retentionDays)
                    if pruned > 0 { logger.info("pruned finished jobs", metadata: ["count": "\(pruned)"]) }
                }
                failing = false
            } catch {
                if !failing { logger.warning("heartbeat failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            pause(tick)
        }
    }

    /// Ends the jobs of this host's workers that died by a fatal signal, from their crash
    /// records: the job whose thread got the signal is charged, the others are not.
    private func recoverCrashes() throws {
        guard let crashRecords else { return }
        for record in crashRecords.collect(excluding: configuration.workerID) {
            let recovery = try queue.recoverCrash(
                worker: record.workerID, culprits: record.culprits, maxCrashes: configuration.maxCrashes,
                backoff: configuration.backoffSeconds)
            crashRecords.remove(record)
            for job in recovery.culprits + recovery.bystanders { queue.events.publish(.jobStatus(job)) }
            logger.warning(
                "a worker died by a fatal signal in a job",
                metadata: [
                    "dead_worker": "\(record.workerID)",
                    "charged": "\(recovery.culprits.map { "\($0.id):\($0.status.rawValue)" })",
                    "requeued_without_charge": "\(recovery.bystanders.map(\.id))",
                    "signals": "\(record.culprits)",
                ])
        }
    }

    /// Sleeps up to `seconds`, waking early when the services stop.
    private func pause(_ seconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline && !servicesStopping.load(ordering: .sequentiallyConsistent) {
            Thread.sleep(forTimeInterval: min(0.05, seconds))
        }
    }
}
