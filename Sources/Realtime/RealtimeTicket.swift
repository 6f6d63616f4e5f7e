import Foundation

/// A signed subscribe URL for one channel: what `POST /api/v1/realtime/tickets` hands out
/// and nginx's `secure_link` checks (see `nginx/snippets/tm-realtime.conf`). It opens one
/// connection: the first use spends it (``RealtimeTicketLedger``).
public struct RealtimeTicket: Sendable, Equatable {
    /// The channel it opens.
    public var channel: RealtimeChannel
    /// Its random id (`tid` in the URL): what is spent on first use.
    public var id: String
    /// The path (with query) that WebSocket and EventSource clients connect to.
    public var path: String
    /// Until when a connection may be opened with it (whole seconds).
    public var expiresAt: Date
}
