/// A `NOTIFY` received on a connection that ran `LISTEN`.
public struct PostgresNotification: Sendable, Equatable {
    /// The channel it was sent on.
    public let channel: String
    /// Its payload (empty when none was given).
    public let payload: String
}
