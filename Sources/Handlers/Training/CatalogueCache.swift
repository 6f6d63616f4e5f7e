import Foundation
import Synchronization
import TradeMasterAPI

/// The last TradeMaster listing a pool worker fetched, shared by its threads: fresh for
/// `ttl` seconds, then fetched again by one thread at a time; after a failed fetch no thread
/// calls the service for `retryAfter` seconds (the copy is served, marked stale).
final class CatalogueCache: Sendable {
    struct Entry: Sendable {
        var listing: TradeMasterListing
        var fetchedAt: Date
    }

    private struct State {
        var entry: Entry?
        var fetching = false
        var failedAt: Date?
        var lastError: String?
    }

    private let state = Mutex(State())
    /// Seconds a fetched listing is fresh.
    let ttl: Double
    /// Seconds after a failed fetch before the next try.
    let retryAfter: Double

    /// A cache keeping listings `ttl` seconds and waiting `retryAfter` after a failure.
    init(ttl: Double = 300, retryAfter: Double = 5) {
        self.ttl = ttl
        self.retryAfter = retryAfter
    }

    /// What to do now: the copy and whether this thread should fetch (it then must call
    /// ``finish(_:now:)``).
    func begin(forceRefresh: Bool, callsAllowed: Bool, now: Date = Date()) -> (entry: Entry?, fetch: Bool, lastError: String?) {
        state.withLock { s in
            let fresh = s.entry.map { now.timeIntervalSince($0.fetchedAt) < ttl } ?? false
            let backingOff = s.failedAt.map { now.timeIntervalSince($0) < retryAfter } ?? false
            let wanted = !fresh || forceRefresh
            // One fetch at a time; without any copy every thread may try (there is nothing else to answer).
            let fetch = wanted && callsAllowed && !backingOff && (!s.fetching || s.entry == nil)
            if fetch { s.fetching = true }
            return (s.entry, fetch, s.lastError)
        }
    }

    /// Records a fetch's outcome; returns the copy to answer.
    func finish(_ outcome: Result<TradeMasterListing, TradeMasterError>, now: Date = Date()) -> (entry: Entry?, lastError: String?) {
        state.withLock { s in
            s.fetching = false
            switch outcome {
            case .success(let listing):
                s.entry = Entry(listing: listing, fetchedAt: now)
                s.failedAt = nil
                s.lastError = nil
            case .failure(let error):
                s.failedAt = now
                s.lastError = Self.reason(error)
            }
            return (s.entry, s.lastError)
        }
    }

    /// A short reason without internals.
    static func reason(_ error: TradeMasterError) -> String {
        switch error {
        case .unreachable: return "unreachable"
        case .circuitOpen: return "circuit open"
        case .service: return "the service refused getParameters"
        case .malformed: return "the service answered outside its contract"
        }
    }
}
