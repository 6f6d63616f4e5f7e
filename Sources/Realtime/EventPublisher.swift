/// Where status changes and progress reports go for real-time subscribers. The one
/// interface every producer (the job worker, handlers) publishes through; until the
/// real-time issue lands an implementation, ``NoEventPublisher`` drops them.
///
/// `publish` must not block for long and must not throw: an event that cannot be delivered
/// is lost, never the work that caused it (PostgreSQL stays the record).
public protocol EventPublisher: Sendable {
    /// Hands `event` over for delivery.
    func publish(_ event: Event)
}

/// An ``EventPublisher`` that drops every event.
public struct NoEventPublisher: EventPublisher {
    /// The no-op publisher.
    public init() {}
    public func publish(_ event: Event) {}
}
