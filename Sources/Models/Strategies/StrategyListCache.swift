import Synchronization

/// Pages of strategy lists as PostgreSQL built them, per process, each with the owner's
/// list version (`strategy_list_versions`, bumped by a trigger in the transaction of every
/// change of the owner's strategies). A page is reused only while its owner's version is
/// the one it was built at, so it is never stale; checking costs one primary-key lookup
/// instead of building 50 objects.
final class StrategyListCache: Sendable {
    /// What a page is of.
    struct Key: Hashable, Sendable {
        var owner: Int64
        var filter: StrategyFilter
        var sort: StrategySort
        var limit: Int
        var offset: Int
    }

    /// A cached page.
    struct Entry: Sendable {
        var version: Int64
        var items: String
        var total: Int
    }

    /// The most pages kept; when full, the oldest half goes.
    let capacity: Int
    private let state = Mutex<(entries: [Key: Entry], order: [Key])>(([:], []))

    /// A cache of at most `capacity` pages.
    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// The page of `key` if it was built at `version`.
    func page(_ key: Key, version: Int64) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.version == version else { return nil }
            return entry
        }
    }

    /// Keeps `entry` under `key` (unless a newer one is there).
    func store(_ key: Key, _ entry: Entry) {
        state.withLock { state in
            if let existing = state.entries[key] {
                if existing.version <= entry.version { state.entries[key] = entry }
                return
            }
            if state.order.count >= capacity {
                let dropped = state.order.prefix(capacity / 2)
                for old in dropped { state.entries[old] = nil }
                state.order.removeFirst(dropped.count)
            }
            state.entries[key] = entry
            state.order.append(key)
        }
    }
}
