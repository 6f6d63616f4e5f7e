import Foundation
import JobRuntime
import Metrics
import Models
import Realtime
import TMFcgi

/// `POST /api/v1/realtime/tickets`: signed subscribe URLs for the caller's channels, which
/// nginx (nchan) checks itself when a WebSocket or EventSource client connects.
public struct RealtimeHandlers: Sendable {
    let access: RealtimeAccess
    let signer: RealtimeSigner
    let metrics: MetricsRegion?

    /// The most channels one request may ask for.
    static let maximumChannels = 20

    /// Handlers checking ownership through `access` and signing with `signer`.
    public init(access: RealtimeAccess, signer: RealtimeSigner, metrics: MetricsRegion? = nil) {
        self.access = access
        self.signer = signer
        self.metrics = metrics
    }

    /// Adds the route.
    public func register(on routes: inout Routes) {
        routes.post(
            "/api/v1/realtime/tickets", .caller(.read),
            doc: RouteDoc(
                "Signed subscribe URLs (WebSocket and EventSource) for the caller's channels", tag: "realtime",
                description: """
                    Channels: `user` (the caller's own user channel), `user:{id}`, `run:{id}`, `job:{id}`, `training:{id}`. \
                    Any channel the caller may not see makes the whole request a 404. Each ticket's URL \
                    opens a WebSocket or an EventSource (the same path) until `expires_at`; a connection \
                    already open stays open after it. Every message is the envelope \
                    `{type, channel, seq, time, data}`, `seq` counting the channel's events.
                    """,
                body: Draft.self, response: Tickets.self, status: 200, errors: [404],
                example: .object([("channels", .array([.string("user"), .string("job:7")]))])), use: create)
    }

    /// The body: the channels to subscribe to.
    struct Draft: Decodable {
        var channels: [String]
    }

    /// One channel's subscribe URLs.
    public struct Ticket: Codable, Sendable {
        /// The channel as events name it (`user` becomes `user:{id}`).
        public var channel: String
        /// The WebSocket path (with the signature).
        public var websocketUrl: String
        /// The EventSource path: the same URL.
        public var eventsourceUrl: String
        /// Until when it may be used to connect.
        public var expiresAt: Date
    }

    /// The answer.
    public struct Tickets: Codable, ResponseEncodable, Sendable {
        /// One per distinct channel, in the order asked.
        public var tickets: [Ticket]
    }

    /// `POST /api/v1/realtime/tickets`: 422 for a malformed or unsupported channel, 404 when
    /// any channel is not the caller's, else one ticket per distinct channel.
    public func create(_ request: Request, _ context: AuthenticatedContext) throws -> Tickets {
        let principal = context.principal
        let body = try request.decode(Draft.self)
        var errors: [FieldError] = []
        if body.channels.isEmpty || body.channels.count > Self.maximumChannels {
            errors.append(FieldError(pointer: "/channels", detail: "must name 1 to \(Self.maximumChannels) channels"))
        }
        var channels: [RealtimeChannel] = []
        for (index, text) in body.channels.prefix(Self.maximumChannels).enumerated() {
            let channel = text == "user" ? RealtimeChannel(kind: .user, id: principal.userID) : RealtimeChannel(text)
            guard let channel else {
                errors.append(
                    FieldError(
                        pointer: "/channels/\(index)",
                        detail: "must be user, user:{id}, run:{id}, job:{id} or training:{id}, not \"\(text.prefix(40))\""))
                continue
            }
            if !channels.contains(channel) { channels.append(channel) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The channels are invalid.") }
        for channel in channels where try !access.allows(channel, user: principal.userID, admin: principal.role == .admin) {
            throw Problem(.notFound, detail: "No channel \(channel).")
        }
        let now = Date()
        let tickets = channels.map { channel in
            let ticket = signer.ticket(for: channel, now: now)
            return Ticket(channel: channel.description, websocketUrl: ticket.path, eventsourceUrl: ticket.path, expiresAt: ticket.expiresAt)
        }
        metrics?.add(MetricCatalog.realtimeTickets, UInt64(tickets.count))
        return Tickets(tickets: tickets)
    }
}
