import Foundation

/// An array appended to from several threads.
public final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []

    /// An empty array.
    public init() {}
    /// Appends `value`.
    public func append(_ value: Int) {
        lock.lock()
        items.append(value)
        lock.unlock()
    }
    /// The values so far.
    public var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
