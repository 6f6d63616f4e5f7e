/// The job kinds a worker can run, by name. Built in one place,
/// ``JobRegistry/standard(diagnostics:)``; a claimed job of a kind not in it fails (the
/// worker goes on).
public struct JobRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    /// An empty registry.
    public init() {}

    /// Adds (or replaces) the handler of `kind`.
    public mutating func register(_ kind: String, _ handler: any JobHandler) {
        handlers[kind] = handler
    }

    /// Adds the closure `body` as the handler of `kind`.
    public mutating func register(_ kind: String, _ body: @escaping @Sendable (JobContext) throws -> JobCompletion) {
        handlers[kind] = JobFunction(body)
    }

    /// The handler of `kind`, if registered.
    public func handler(for kind: String) -> (any JobHandler)? {
        handlers[kind]
    }

    /// The registered kinds, sorted.
    public var kinds: [String] { handlers.keys.sorted() }
}
