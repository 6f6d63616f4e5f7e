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
        /// Total responses.
        public var total: Int { statuses.values.reduce(0, +) }
        /// Responses with this status.
        public func count(_ status: Int) -> Int { statuses[status] ?? 0 }
    }

    private let port: Int
    private let path: String
    private let threads: Int
    private let stopFlag = Atomic<Bool>(false)
    private let state = Mutex(Outcome())
    private var workers: [Thread] = []
    private let done = DispatchGroup()

    /// Load on `GET path` from `threads` connections.
    public init(port: Int, path: String, threads: Int = 4) {
        self.port = port
        self.path = path
        self.threads = threads
    }

    /// Starts the threads.
    public func start() {
        for _ in 0..<threads {
            done.enter()
            let thread = Thread { [self] in
                let client = TestHTTPClient(port: port)
                client.timeout = 20
                while !stopFlag.load(ordering: .relaxed) {
                    do {
                        let response = try client.send("GET", path)
                        state.withLock { $0.statuses[response.status, default: 0] += 1 }
                    } catch {
                        state.withLock {
                            $0.transportErrors += 1
                            if $0.samples.count < 5 { $0.samples.append("\(error)") }
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
