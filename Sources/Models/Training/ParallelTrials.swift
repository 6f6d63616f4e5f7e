import Foundation
import Quant
import Synchronization

/// Runs a search's trials on `threads` threads while the calling thread hands each finished
/// trial, in finishing order, to `onTrial` (where progress is reported and a stop noticed:
/// when `onTrial` throws, the threads take no further trial and the error is rethrown once
/// they have returned). Trials are independent and pure, so the result does not depend on
/// the number of threads or their timing.
enum ParallelTrials {
    static func run(
        _ search: ParameterSearch, candidates: [[String: Double]], train: OHLCVSeries, validation: OHLCVSeries,
        threads: Int, onTrial: (SearchTrial, Int) throws -> Void
    ) throws -> [SearchTrial] {
        final class Shared: Sendable {
            let next = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            let finished = Mutex<[SearchTrial]>([])
            let ready = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
        }
        let shared = Shared()
        let count = candidates.count
        let workers = max(1, min(threads, count))
        for _ in 0..<workers {
            shared.done.enter()
            let thread = Thread {
                while !shared.stop.load(ordering: .relaxed) {
                    let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < count else { break }
                    let trial = search.evaluate(index: index, parameters: candidates[index], train: train, validation: validation)
                    shared.finished.withLock { $0.append(trial) }
                    shared.ready.signal()
                }
                shared.done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var trials: [SearchTrial] = []
        trials.reserveCapacity(count)
        do {
            while trials.count < count {
                shared.ready.wait()
                let batch = shared.finished.withLock { batch -> [SearchTrial] in
                    defer { batch.removeAll(keepingCapacity: true) }
                    return batch
                }
                for trial in batch {
                    trials.append(trial)
                    try onTrial(trial, trials.count)
                }
            }
        } catch {
            shared.stop.store(true, ordering: .relaxed)
            shared.done.wait()
            throw error
        }
        shared.done.wait()
        return trials.sorted { $0.index < $1.index }
    }
}
