import Foundation
import Synchronization

/// Sends requests from several threads over kept-alive connections until told to stop,
/// counting outcomes: the "under load" part of the process tests.
public final class LoadGenerator: @unchecked Sendable {
    /// What the load saw.
    public struct Outcome: Sendable {
        /// Responses by status code.
        public var statuses: [Int: Int] = [:]
        /// Requests that got no HTTP response at all.
        public var transportErrors = 0
        /// A few error texts, for the failure message.
        public var samples: [String] = []
        /// The slowest request, in seconds (send to full response, or to the transport error).
        public var slowest: Double = 0
        /// Requests that took longer than the generator's `slowAfter` seconds.
        public var slow = 0
        /// Total responses.
        public var total: Int { statuses.values.reduce(0, +) }
        /// Responses with this status.
        public func count(_ status: Int) -> Int { statuses[status] ?? 0 }
    }

    private let port: Int
    private let paths: [String]
    private let threads: Int
    private let slowAfter: Double
    private let stopFlag = Atomic<Bool>(false)
    private let state = Mutex(Outcome())
    private var workers: [Thread] = []
    private let done = DispatchGroup()

    /// Load on `GET path` from `threads` connections.
    public convenience init(port: Int, path: String, threads: Int = 4) {
        self.init(port: port, paths: [path], threads: threads)
    }

    /// Load from `threads` connections, each sending `GET` to `paths` in turn (connection
    /// `i` starts at path `i % paths.count`, so every path is in flight at once). Requests
    /// slower than `slowAfter` seconds are counted as ``Outcome/slow``.
    public init(port: Int, paths: [String], threads: Int = 4, slowAfter: Double = 1) {
        precondition(!paths.isEmpty)
        self.port = port
        self.paths = paths
        self.threads = threads
        self.slowAfter = slowAfter
    }

    /// Starts the threads.
    public func start() {
        for index in 0..<threads {
            done.enter()
            let thread = Thread { [self] in
                let client = TestHTTPClient(port: port)
                client.timeout = 20
                var next = index % paths.count
                while !stopFlag.load(ordering: .relaxed) {
                    let path = paths[next]
                    next = (next + 1) % paths.count
                    let started = DispatchTime.now().uptimeNanoseconds
                    func record(_ outcome: inout Outcome) {
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                        outcome.slowest = max(outcome.slowest, seconds)
                        if seconds > slowAfter { outcome.slow += 1 }
                    }
                    do {
                        let response = try client.send("GET", path)
                        state.withLock {
                            $0.statuses[response.status, default: 0] += 1
                            record(&$0)
                        }
                    } catch {
                        state.withLock {
                            $0.transportErrors += 1
                            record(&$0)
                            if $0.samples.count < 5 { $0.samples.append("\(path): \(error)") }
                        }
                        client.disconnect()
                        usleep(1000)
                    }
                }
                done.leave()
            }
            thread.start()
            workers.append(thread)
        }
    }

    /// What has been seen so far.
    public var snapshot: Outcome { state.withLock { $0 } }

    /// Stops the threads and returns the totals.
    public func stop() -> Outcome {
        stopFlag.store(true, ordering: .relaxed)
        done.wait()
        return snapshot
    }

    /// Waits until at least `count` responses were seen (or `seconds` pass).
    public func waitForResponses(_ count: Int, seconds: Double = 20) {
        let deadline = Date().addingTimeInterval(seconds)
        while snapshot.total < count && Date() < deadline { usleep(5000) }
    }
}
