import PostgresClient

/// The refusals of a resource that users edit under `If-Match` (datasets, strategies): one
/// rule for what a guarded write that changed no row means.
public protocol VersionedRecordError: Error {
    /// The owner already has one of that name (a unique violation).
    static var nameTaken: Self { get }
    /// No such record of this caller.
    static var notFound: Self { get }
    /// The caller's `If-Match` version is not the current one.
    static func stale(current: Int64) -> Self
}

extension VersionedRecordError {
    /// Runs `write`, guarded by id, owner and expected version, which returns what it wrote or
    /// nil when the guard matched no row; then the record is gone (``notFound``, when
    /// `currentVersion` finds none) or was changed meanwhile (``stale(current:)``). A unique
    /// violation is ``nameTaken``.
    static func guarded<T>(_ write: () throws -> T?, currentVersion: () throws -> Int64?) throws -> T {
        do {
            if let written = try write() { return written }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw nameTaken
        }
        guard let version = try currentVersion() else { throw notFound }
        throw stale(current: version)
    }
}

extension DatasetError: VersionedRecordError {}
extension StrategyRecordError: VersionedRecordError {}
